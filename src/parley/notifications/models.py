"""Notifications: follow, mention, favourite, reblog, and safety decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    FOLLOW = "follow"
    FOLLOW_REQUEST = "follow_request"
    MENTION = "mention"
    FAVOURITE = "favourite"
    REBLOG = "reblog"
    STATUS = "status"
    UPDATE = "update"
    POLL = "poll"  # a poll the recipient made or voted in has ended
    # A moderation decision about the recipient's content or account (statement of reasons).
    MODERATION_WARNING = "moderation_warning"
    # Parley's own: the decision on the recipient's appeal, and on a report they filed.
    APPEAL_DECIDED = "appeal_decided"
    REPORT_DECIDED = "report_decided"


# Sent by the instance, not a person: the actor is the recipient (as Mastodon does for
# moderation warnings); they reach the recipient whatever they block or mute.
SAFETY_KINDS = (NotificationKind.MODERATION_WARNING, NotificationKind.APPEAL_DECIDED,
                NotificationKind.REPORT_DECIDED)


# Mastodon 4.3 groups these: same kind (and post) within 12 hours share a group key.
GROUPED_KINDS = (NotificationKind.FAVOURITE, NotificationKind.REBLOG, NotificationKind.FOLLOW)


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
    # For decided appeals and reports: the appeal or the report (notice) it is about, the
    # outcome in one word (reversed, upheld, actioned, rejected) and the page that explains it.
    subject_id = models.BigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False)
    # Set for GROUPED_KINDS ("favourite-<post>-<hour>", "follow-<hour>"); empty for the
    # others, which Mastodon calls "ungrouped-<id>".
    group_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"]),
            models.Index(fields=["recipient", "group_key"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "actor", "kind", "post"],
                name="unique_notification",
            )
        ]
