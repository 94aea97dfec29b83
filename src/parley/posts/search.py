"""Full-text search over posts: SQLite FTS5 when embedded, PostgreSQL full-text when scaled.

Only posts from ``distributed_posts(viewer)`` are returned, so held, removed and
private posts never show up in results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from parley.posts.models import Post, Tag
from parley.posts.selectors import distributed_posts, with_related

WORD_RE = re.compile(r"\w+", re.UNICODE)


def _fts5_query(query: str) -> str:
    """Quote every word so user input can never be FTS5 syntax; words are ANDed."""
    words = WORD_RE.findall(query)
    return " ".join(f'"{w}"' for w in words[:20])


def _matching_ids_sqlite(query: str, limit: int) -> list[int]:
    match = _fts5_query(query)
    if not match:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM posts_post_fts WHERE posts_post_fts MATCH %s ORDER BY rank LIMIT %s",
            [match, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def search_posts(query: str, viewer, limit: int = 20, offset: int = 0) -> list[Post]:
    query = (query or "").strip()
    if not query:
        return []
    visible = distributed_posts(viewer).filter(reblog_of__isnull=True)
    if connection.vendor == "sqlite":
        ids = _matching_ids_sqlite(query, 2000)
        if not ids:
            return []
        rank = {pk: i for i, pk in enumerate(ids)}
        found = list(with_related(visible.filter(pk__in=ids)))
        found.sort(key=lambda p: rank[p.pk])
        return found[offset : offset + limit]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        matches = visible.annotate(search=SearchVector("text", "spoiler_text")).filter(
            search=SearchQuery(query, search_type="plain")
        )
    else:
        words = WORD_RE.findall(query)
        condition = Q()
        for word in words:
            condition &= Q(text__icontains=word)
        matches = visible.filter(condition)
    return list(with_related(matches).order_by("-id")[offset : offset + limit])


def search_hashtags(query: str, limit: int = 20) -> list[Tag]:
    term = (query or "").strip().lstrip("#").lower()
    if not term:
        return []
    # Only tags in use by posts anyone may see: a held post must not reveal its tags.
    in_use = distributed_posts(None).filter(visibility="public").values("tags")
    return list(
        Tag.objects.filter(name__startswith=term, pk__in=in_use).order_by("name")[:limit]
    )


HISTORY_DAYS = 7


def hashtag_history(
    tags: list[Tag], days: int = HISTORY_DAYS, now: datetime | None = None
) -> dict[int, list[dict]]:
    """Mastodon's Tag ``history``: for each of the last ``days`` UTC days, newest first, the
    original public posts anyone may see that used the tag and how many accounts wrote them
    (as strings: the day a UNIX timestamp), in one query for all ``tags``."""
    now = now or timezone.now()
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=days - 1)
    rows = (
        distributed_posts(None)
        .filter(visibility="public", reblog_of__isnull=True, limited=False,
                tags__in=tags, created_at__gte=first)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values_list("tags", "day")
        .annotate(uses=Count("id", distinct=True), accounts=Count("author", distinct=True))
    )
    counted = {(tag_id, day): (uses, accounts) for tag_id, day, uses, accounts in rows}
    history = {}
    for tag in tags:
        history[tag.pk] = []
        for back in range(days):
            day = today - timedelta(days=back)
            uses, accounts = counted.get((tag.pk, day.date()), (0, 0))
            history[tag.pk].append({"day": str(int(day.timestamp())), "uses": str(uses),
                                    "accounts": str(accounts)})
    return history
