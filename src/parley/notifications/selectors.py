"""Reads of a member's notifications; post-bearing ones only while the post is visible."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from parley.accounts.models import User
from parley.notifications.models import SAFETY_KINDS, Notification
from parley.posts.selectors import distributed_posts


def notifications_for(
    recipient: User, types: list[str] | None = None, exclude_types: list[str] | None = None
) -> QuerySet[Notification]:
    queryset = Notification.objects.filter(recipient=recipient).filter(
        Q(post__isnull=True)
        | Q(kind__in=SAFETY_KINDS)
        | Q(post__in=distributed_posts(recipient).values("pk"))
    )
    queryset = queryset.filter(
        Q(actor__suspended_at__isnull=True)
        | Q(actor__suspended_until__lte=timezone.now())
        | Q(kind__in=SAFETY_KINDS)
    )
    if types:
        queryset = queryset.filter(kind__in=types)
    if exclude_types:
        queryset = queryset.exclude(kind__in=exclude_types)
    return queryset.select_related("actor", "post", "post__author")


def paginate_notifications(
    queryset: QuerySet[Notification],
    *,
    max_id=None,
    since_id=None,
    min_id=None,
    limit: int = 40,
) -> list[Notification]:
    limit = max(1, min(int(limit or 40), 80))
    if max_id:
        queryset = queryset.filter(pk__lt=int(max_id))
    if since_id:
        queryset = queryset.filter(pk__gt=int(since_id))
    if min_id:
        return list(queryset.filter(pk__gt=int(min_id)).order_by("id")[:limit])[::-1]
    return list(queryset.order_by("-id")[:limit])
