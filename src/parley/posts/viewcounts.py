"""Post views counted cheaply: summed in memory per post and hour, added to the table in one
upsert at most every ``PARLEY_VIEW_FLUSH_SECONDS`` (one extra query on the page that flushes)."""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from parley.posts.models import Post, PostViewCount

log = logging.getLogger(__name__)
ROWS_PER_STATEMENT = 500  # 1,500 parameters: well under SQLite's limit
MAX_PENDING = 10_000  # distinct (post, hour) pairs held before a flush is forced

_lock = threading.Lock()
_pending: Counter[tuple[int, datetime]] = Counter()
_last_flush = time.monotonic()


def _flush_seconds() -> float:
    return float(getattr(settings, "PARLEY_VIEW_FLUSH_SECONDS", 10))


def current_hour() -> datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0)


def record_views(viewer, posts: Iterable[Post]) -> None:
    """Count one view of each post shown to ``viewer`` (anonymous: None). An echo shows its
    original, so the view counts for the original; nobody's views of their own posts count."""
    viewer_id = getattr(viewer, "pk", None)
    hour = current_hour()
    with _lock:
        for post in posts:
            shown = post.reblog_of if post.reblog_of_id else post
            if shown.author_id != viewer_id:
                _pending[(shown.pk, hour)] += 1
        due = (time.monotonic() - _last_flush >= _flush_seconds()
               or len(_pending) >= MAX_PENDING)
    if due:
        flush_views()


def _take_pending() -> list[tuple[tuple[int, datetime], int]]:
    global _last_flush
    with _lock:
        rows = list(_pending.items())
        _pending.clear()
        _last_flush = time.monotonic()
    return rows


def _upsert(rows: list[tuple[tuple[int, datetime], int]]) -> None:
    # bulk_create(update_conflicts=True) can only overwrite a count with the new one; views
    # from several processes must add up, so the statement adds (same SQL on SQLite and PG).
    qn = connection.ops.quote_name
    table = qn(PostViewCount._meta.db_table)
    count = qn("count")
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    sql = (f"INSERT INTO {table} ({qn('post_id')}, {qn('hour')}, {count}) VALUES {values} "
           f"ON CONFLICT ({qn('post_id')}, {qn('hour')}) "
           f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}")
    params: list = []
    for (post_id, hour), n in rows:
        params += [post_id, connection.ops.adapt_datetimefield_value(hour), n]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def flush_views() -> int:
    """Add the counted views to ``PostViewCount``; returns how many (post, hour) rows."""
    rows = _take_pending()
    try:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            _upsert(rows[start:start + ROWS_PER_STATEMENT])
    except DatabaseError:
        # Views are statistics: losing a few is better than failing the page that flushed.
        log.exception("could not save %d post view counts", len(rows))
        return 0
    return len(rows)


def discard_pending_views() -> None:
    """Forget the counted views not yet written (tests start from nothing)."""
    _take_pending()


@atexit.register
def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):  # the process is ending; nothing left to tell
        flush_views()


def views_before(post_ids: Iterable[int], until: dict[int, datetime]) -> dict[int, int]:
    """Per post: the views counted in hours that began at or before ``until[post]`` (its
    action time). After an action only the author can see the post, so the hour in which it
    was taken holds views from before it."""
    ids = sorted(set(post_ids))
    totals: dict[int, int] = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), ROWS_PER_STATEMENT):
        chunk = ids[start:start + ROWS_PER_STATEMENT]
        rows = PostViewCount.objects.filter(post_id__in=chunk).values_list(
            "post_id", "hour", "count")
        for post_id, hour, n in rows:
            if hour <= until[post_id]:
                totals[post_id] += n
    return totals
