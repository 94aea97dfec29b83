"""Screening data: word/phrase rules, hash lists, removed-content fingerprints."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScreeningAction(models.TextChoices):
    REJECT = "reject", "Reject"
    HOLD = "hold", "Hold for review"
    CASE = "case", "Publish and open a case"


class RuleField(models.TextChoices):
    """Where a rule applies; the values are the CLI's --applies-to names."""

    TEXT = "text", "Post text"
    CONTENT_WARNING = "cw", "Content warning"
    DISPLAY_NAME = "display_name", "Display name"
    BIO = "bio", "Bio"


class ScreeningRule(models.Model):
    """A server-wide word, phrase or regular expression and what to do when it matches."""

    pattern = models.CharField(max_length=500)
    is_regex = models.BooleanField(default=False)
    action = models.CharField(max_length=10, choices=ScreeningAction.choices)
    category = models.CharField(max_length=40)
    applies_to = models.JSONField(default=list)  # list of RuleField values
    enabled = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        kind = "regex" if self.is_regex else "phrase"
        return f"rule #{self.pk} {kind} {self.pattern!r} -> {self.action} ({self.category})"


class HashKind(models.TextChoices):
    TEXT = "text", "Normalised text SHA-256"
    IMAGE = "image", "Image file SHA-256"


class HashEntry(models.Model):
    """One known violating text or image, identified by its SHA-256."""

    kind = models.CharField(max_length=10, choices=HashKind.choices)
    hash = models.CharField(max_length=64)
    category = models.CharField(max_length=40)
    action = models.CharField(max_length=10, choices=ScreeningAction.choices)
    source = models.CharField(max_length=100, blank=True)  # the list it came from
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "hash"], name="screening_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.hash[:12]}... -> {self.action} ({self.category})"


class RemovedFingerprint(models.Model):
    """The MinHash signature of a removed post, so copies of it can be caught."""

    post = models.OneToOneField(
        "posts.Post", on_delete=models.CASCADE, related_name="removed_fingerprint"
    )
    category = models.CharField(max_length=40)
    signature = models.BinaryField()  # MinHash hash values, little-endian uint64
    digest = models.CharField(max_length=16)  # detects a changed row without reading it all
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"fingerprint of removed post #{self.post_id} ({self.category})"
