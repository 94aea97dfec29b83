"""Models of the safety core: the audit log and policy overrides."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """One safety event. Append-only; each entry's hash covers the previous entry's hash."""

    class Scheme(models.TextChoices):
        SHA256 = "sha256"  # unkeyed: anyone with the database can recompute it
        HMAC_SHA256 = "hmac-sha256"  # keyed with PARLEY_AUDIT_KEY, kept outside the database

    created_at = models.DateTimeField(default=timezone.now)
    event = models.CharField(max_length=64, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    subject_type = models.CharField(max_length=32, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    scheme = models.CharField(max_length=16, choices=Scheme.choices, default=Scheme.SHA256)
    # Which key made a keyed hash (an HMAC of a fixed text, so it reveals nothing of the key):
    # verification tells a wrong key from an edited entry.
    key_id = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id"])]


class PolicyOverride(models.Model):
    """An operator's change to one category of the policy table."""

    category = models.CharField(max_length=64, unique=True)
    values = models.JSONField(default=dict)
    changed_at = models.DateTimeField(default=timezone.now)
