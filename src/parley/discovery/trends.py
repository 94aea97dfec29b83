"""Trends from local activity in a recent window: hashtags many accounts use, public posts
with the most likes and echoes. Reviewed by rule: only published, distributed, public,
not sensitive posts of active, unlimited, unsuspended accounts with no open case trend,
and moderators may hide a hashtag."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils import timezone

from parley.accounts.models import Mute, User
from parley.core.errors import NotFound
from parley.discovery.models import HiddenTrendTag
from parley.posts.models import Post, PostState, Tag, Visibility
from parley.posts.search import hashtag_history
from parley.posts.selectors import distributed_posts, with_related
from parley.safety.cases.models import OPEN_STATES, Case

WINDOW = timedelta(hours=48)  # what counts now
MIN_TAG_ACCOUNTS = 2  # one account alone cannot make a hashtag trend


def trendable_posts(viewer: User | None = None, now: datetime | None = None) -> QuerySet[Post]:
    """Posts that may count towards (and show in) trends, as ``viewer`` may see them."""
    now = now or timezone.now()
    open_case = Case.objects.filter(post_id=OuterRef("pk"), state__in=OPEN_STATES)
    return (
        distributed_posts(viewer)
        .filter(
            state=PostState.PUBLISHED,
            visibility=Visibility.PUBLIC,
            reblog_of__isnull=True,
            limited=False,
            sensitive=False,
            author__silenced=False,
            created_at__gt=now - WINDOW,
        )
        .exclude(Exists(open_case))
    )


def trending_tags(limit: int = 10, offset: int = 0, now: datetime | None = None) -> list[dict]:
    """Hashtags by how many accounts used them in the window, with Mastodon's daily
    ``history`` (``day`` as a UNIX timestamp, ``uses``, ``accounts``, as strings)."""
    now = now or timezone.now()
    hidden = HiddenTrendTag.objects.filter(tag_id=OuterRef("pk"))
    posts = trendable_posts(None, now).values("pk")
    ranked = list(
        Tag.objects.filter(posts__in=posts)
        .exclude(Exists(hidden))
        .annotate(accounts=Count("posts__author", distinct=True),
                  uses=Count("posts", distinct=True))
        .filter(accounts__gte=MIN_TAG_ACCOUNTS)
        .order_by("-accounts", "-uses", "name")[offset:offset + limit]
    )
    histories = hashtag_history(ranked, now=now)
    return [{"tag": tag, "history": histories[tag.pk]} for tag in ranked]


def trending_posts(viewer: User | None, limit: int = 20, offset: int = 0) -> list[Post]:
    """Public posts of the window by likes and echoes (at least one), most first."""
    queryset = (
        trendable_posts(viewer)
        .annotate(score=F("favourites_count") + F("reblogs_count"))
        .filter(score__gt=0)
        .order_by("-score", "-id")
    )
    if viewer is not None:
        queryset = queryset.exclude(
            Exists(Mute.objects.filter(muter=viewer, muted_id=OuterRef("author_id")))
        )
    return list(with_related(queryset)[offset:offset + limit])


def hide_tag(name: str, moderator: User | None = None) -> HiddenTrendTag:
    tag = Tag.objects.filter(name=name.lstrip("#").lower()).first()
    if tag is None:
        raise NotFound(f"No hashtag #{name.lstrip('#')}")
    hidden, _ = HiddenTrendTag.objects.get_or_create(tag=tag, defaults={"hidden_by": moderator})
    return hidden


def unhide_tag(name: str) -> bool:
    return bool(HiddenTrendTag.objects.filter(tag__name=name.lstrip("#").lower()).delete()[0])


def hidden_tags() -> list[str]:
    return list(HiddenTrendTag.objects.order_by("tag__name").values_list("tag__name", flat=True))
