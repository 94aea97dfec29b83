"""Reads of a member's notifications; post-bearing ones only while the post is visible."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Concat, RowNumber
from django.utils import timezone

from parley.accounts.models import User
from parley.notifications.models import GROUPED_KINDS, SAFETY_KINDS, Notification
from parley.posts.selectors import distributed_posts


def notifications_for(
    recipient: User, types: list[str] | None = None, exclude_types: list[str] | None = None,
    account_id: int | None = None,
) -> QuerySet[Notification]:
    """``account_id``: only those from that account, as they show it (a moderation decision
    shows as the recipient's own, so asking for a moderator's never finds its decisions)."""
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
    if account_id is not None:
        queryset = queryset.filter(
            (Q(actor_id=account_id) & ~Q(kind__in=SAFETY_KINDS))
            | (Q(kind__in=SAFETY_KINDS) & Q(recipient_id=account_id))
        )
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


# -- grouped notifications (Mastodon 4.3, /api/v2/notifications) ---------------------------

SAMPLE_ACCOUNTS = 8


@dataclass(frozen=True)
class NotificationGroup:
    """One group of a page: its newest notification, how many it holds up to the page's top,
    the page's range of it (``page_min_id``..``page_max_id``) and up to 8 recent actors."""

    key: str
    latest: Notification
    count: int
    page_min_id: int
    page_max_id: int
    sample_actor_ids: list[int]


def with_group_keys(
    queryset: QuerySet[Notification], grouped_types: list[str] | None = None
) -> QuerySet[Notification]:
    """Annotate ``key``: the stored group key for the grouped types (default: favourite,
    reblog, follow), ``ungrouped-<id>`` for every other notification."""
    types = [t for t in (grouped_types or GROUPED_KINDS) if t in GROUPED_KINDS]
    ungrouped = Concat(Value("ungrouped-"), Cast("id", output_field=CharField()))
    return queryset.annotate(key=Case(
        When(Q(kind__in=types) & ~Q(group_key=""), then=F("group_key")),
        default=ungrouped, output_field=CharField(),
    ))


def group_heads(
    keyed: QuerySet[Notification], *, max_id=None, since_id=None, min_id=None, limit: int = 40
) -> list[dict]:
    """A page of groups as rows of (``key``, ``head``: its newest notification id in range),
    newest first: Mastodon pages groups by their newest notification."""
    limit = max(1, min(int(limit or 40), 80))
    if max_id:
        keyed = keyed.filter(pk__lt=int(max_id))
    if since_id:
        keyed = keyed.filter(pk__gt=int(since_id))
    if min_id:
        keyed = keyed.filter(pk__gt=int(min_id))
    rows = keyed.values("key").annotate(head=Max("id") if not min_id else Min("id"))
    if min_id:
        return list(rows.order_by("head")[:limit])[::-1]
    return list(rows.order_by("-head")[:limit])


def notification_groups(
    keyed: QuerySet[Notification], heads: list[dict]
) -> list[NotificationGroup]:
    """The groups of a page of ``heads``, in 3 queries: counts and page ranges, recent
    actors, the newest notification of each."""
    if not heads:
        return []
    keys = [row["key"] for row in heads]
    top, bottom = max(r["head"] for r in heads), min(r["head"] for r in heads)
    in_groups = keyed.filter(key__in=keys, pk__lte=top)
    stats = {
        row["key"]: row
        for row in in_groups.values("key").annotate(
            count=Count("id"), newest=Max("id"), oldest_on_page=Min("id", filter=Q(pk__gte=bottom))
        )
    }
    ranked = in_groups.annotate(rank=Window(RowNumber(), partition_by=[F("key")],
                                            order_by=F("id").desc()))
    samples: dict[str, list[int]] = {key: [] for key in keys}
    for key, actor_id in ranked.filter(rank__lte=SAMPLE_ACCOUNTS).order_by("-id").values_list(
            "key", "actor_id"):
        samples[key].append(actor_id)
    latest = Notification.objects.select_related("actor", "post", "post__author").in_bulk(
        [stats[key]["newest"] for key in keys]
    )
    return [
        NotificationGroup(
            key=key, latest=latest[stats[key]["newest"]], count=stats[key]["count"],
            page_min_id=stats[key]["oldest_on_page"] or stats[key]["newest"],
            page_max_id=stats[key]["newest"], sample_actor_ids=samples[key],
        )
        for key in keys
    ]


def group_actor_ids(keyed: QuerySet[Notification], key: str) -> list[int]:
    """The accounts of one group's notifications, newest first, each once."""
    seen: dict[int, None] = {}
    for actor_id in keyed.filter(key=key).order_by("-id").values_list("actor_id", flat=True):
        seen.setdefault(actor_id, None)
    return list(seen)


def unread_count(recipient: User, last_read_id: int, limit: int, *, grouped: bool = False,
                 types: list[str] | None = None, exclude_types: list[str] | None = None,
                 grouped_types: list[str] | None = None, account_id: int | None = None) -> int:
    """How many notifications (or groups) are newer than ``last_read_id``, at most ``limit``."""
    newer = notifications_for(recipient, types, exclude_types, account_id).filter(
        pk__gt=last_read_id)
    if not grouped:
        return len(newer.order_by("-id").values_list("id", flat=True)[:limit])
    keys = with_group_keys(newer, grouped_types).values("key").distinct()
    return len(keys.order_by()[:limit])
