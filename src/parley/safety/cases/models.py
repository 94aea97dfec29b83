"""Notices, cases, notifiers and instance rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NoticeSource(models.TextChoices):
    MEMBER = "member"
    PUBLIC = "public"
    HOSTING_PROVIDER = "hosting_provider"
    TRUSTED_FLAGGER = "trusted_flagger"
    AUTHORITY = "authority"
    SCREENING = "screening"


class CaseState(models.TextChoices):
    OPEN = "open"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    APPEALED = "appealed"
    CLOSED = "closed"


CASE_TRANSITIONS: dict[str, set[str]] = {
    CaseState.OPEN: {CaseState.IN_REVIEW, CaseState.DECIDED, CaseState.CLOSED},
    CaseState.IN_REVIEW: {CaseState.OPEN, CaseState.DECIDED, CaseState.CLOSED},
    CaseState.DECIDED: {CaseState.APPEALED, CaseState.CLOSED, CaseState.OPEN},
    CaseState.APPEALED: {CaseState.DECIDED, CaseState.CLOSED},
    CaseState.CLOSED: {CaseState.OPEN},
}
OPEN_STATES = (CaseState.OPEN, CaseState.IN_REVIEW)


class InstanceRule(models.Model):
    text = models.CharField(max_length=300)
    hint = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Notifier(models.Model):
    """An outside party with an API token: an abuse desk, trusted flagger or authority."""

    class Kind(models.TextChoices):
        HOSTING_PROVIDER = "hosting_provider"
        TRUSTED_FLAGGER = "trusted_flagger"
        AUTHORITY = "authority"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    unfounded_count = models.PositiveIntegerField(default=0)
    founded_count = models.PositiveIntegerField(default=0)
    suspended_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class Case(models.Model):
    """Everything known about one post or account: its notices and screening results."""

    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cases_about"
    )
    category = models.CharField(max_length=64, default="other")
    state = models.CharField(max_length=12, choices=CaseState.choices, default=CaseState.OPEN)
    priority = models.FloatField(default=0.0, db_index=True)
    confidence = models.FloatField(default=0.0)
    deadline = models.DateTimeField()
    escalated = models.BooleanField(default=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="claimed_cases",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="decided_cases",
    )
    # Screening results: [{"tier", "category", "score", "reason", "scores": {...}}]
    screening = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["state", "-priority"])]


class Notice(models.Model):
    """One report or notice. Ten reports on one post are one case with ten notices."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    source = models.CharField(max_length=20, choices=NoticeSource.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    notifier = models.ForeignKey(
        Notifier, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    category = models.CharField(max_length=64, default="other")
    reported_category = models.CharField(max_length=20, blank=True)  # Mastodon's category
    comment = models.TextField(blank=True)
    url = models.URLField(blank=True, max_length=1000)
    rule_ids = models.JSONField(default=list)
    post_ids = models.JSONField(default=list)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    good_faith = models.BooleanField(default=False)
    removal_order = models.BooleanField(default=False)
    deadline = models.DateTimeField(null=True, blank=True)
    receipt = models.CharField(max_length=32, unique=True)
    outcome = models.CharField(max_length=32, blank=True)  # actioned | rejected | pending
    outcome_text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
