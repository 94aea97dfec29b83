"""Writing stream events. Callers run these inside the transaction of the change itself,
so an event exists exactly when the change committed (no event for a rolled-back post)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from parley.streaming.models import StreamEvent, StreamEventKind


def record_post_distributed(post_id: int) -> None:
    """The post reached timelines: stream it as an ``update`` to whoever may see it."""
    StreamEvent.objects.create(kind=StreamEventKind.UPDATE, post_id=post_id)


def record_post_edited(post_id: int) -> None:
    StreamEvent.objects.create(kind=StreamEventKind.STATUS_UPDATE, post_id=post_id)


def record_posts_gone(post_ids: list[int]) -> None:
    """Distributed posts left timelines (deleted, removed, held): ``delete`` them."""
    StreamEvent.objects.bulk_create(
        [StreamEvent(kind=StreamEventKind.DELETE, post_id=pk) for pk in post_ids]
    )


def record_notification(notification_id: int, recipient_id: int) -> None:
    StreamEvent.objects.create(
        kind=StreamEventKind.NOTIFICATION,
        notification_id=notification_id,
        recipient_id=recipient_id,
    )


def prune_stream_events(now: datetime | None = None) -> int:
    """Forget events older than ``PARLEY_STREAMING_EVENT_TTL``: every server has sent them."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.PARLEY_STREAMING_EVENT_TTL)
    deleted, _ = StreamEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted
