"""Notifications: follow, mention, favourite, reblog, and safety decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    FOLLOW = "follow"
    MENTION = "mention"
    FAVOURITE = "favourite"
    REBLOG = "reblog"
    STATUS = "status"
    UPDATE = "update"
    # A moderation decision about the recipient's content or account (statement of reasons).
    MODERATION_WARNING = "moderation_warning"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    post = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # For moderation warnings: the statement of reasons it announces (safety app).
    statement_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["recipient", "-id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "actor", "kind", "post"],
                name="unique_notification",
            )
        ]
