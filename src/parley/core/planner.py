"""The embedded database's query planner statistics, kept current as the instance grows.

SQLite plans without statistics as if every index were selective. The home timeline's
filter (own posts, or others' published posts) then looks cheapest through the index on
``state``, which matches nearly every post: the page reads and sorts them all, and grows
with the instance (3.5 ms at 2k posts, 8x slower at 10k). With ``ANALYZE``'s statistics the
planner walks posts newest first and stops at the page's end (0.3 ms, flat). PostgreSQL
keeps its own statistics (autovacuum), so this is SQLite only."""

from __future__ import annotations

import logging

from django.db import connection

log = logging.getLogger(__name__)
GROWTH = 2  # re-analyse once the posts table is this many times larger than when analysed
ROWS_SAMPLED = 1000  # per index (``analysis_limit``): ANALYZE stays fast at millions of rows


def _analysed_rows() -> int | None:
    """How many posts there were when the statistics were last gathered (None: never)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'posts_post' LIMIT 1")
        row = cursor.fetchone()
    return int(row[0].split()[0]) if row else None


def _current_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM posts_post")
        return int(cursor.fetchone()[0])


def refresh_statistics(force: bool = False) -> bool:
    """On SQLite, run ``ANALYZE`` if it never ran or the posts grew ``GROWTH``-fold since;
    True if it ran. Cheap to call often (two indexed reads when nothing is due)."""
    if connection.vendor != "sqlite":
        return False
    analysed, current = _analysed_rows(), _current_rows()
    if not force and analysed is not None and current < max(analysed, 1) * GROWTH:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ROWS_SAMPLED}")
        cursor.execute("ANALYZE")
    log.info("planner statistics refreshed (%d posts; previously %s)", current, analysed)
    return True
