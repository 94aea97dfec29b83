"""The streaming outbox: what happened, written in the transaction that made it happen."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class StreamEventKind(models.TextChoices):
    UPDATE = "update"  # a post was distributed (or released again): it may reach timelines
    STATUS_UPDATE = "status.update"  # a distributed post was edited
    DELETE = "delete"  # a distributed post was deleted, removed or held
    NOTIFICATION = "notification"


class StreamEvent(models.Model):
    """One event for the streaming server(s). Only ids and audience hints are kept: each
    subscriber's payload is rendered when it is sent, with the rules of the REST API for
    that viewer at that moment. The worker prunes events older than
    ``PARLEY_STREAMING_EVENT_TTL`` seconds."""

    kind = models.CharField(max_length=16, choices=StreamEventKind.choices)
    post_id = models.BigIntegerField(null=True, blank=True)
    notification_id = models.BigIntegerField(null=True, blank=True)
    # Audience hint: the notification's recipient (the only member it can stream to).
    recipient_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
