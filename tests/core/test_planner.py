"""The embedded database's planner statistics: gathered when missing or outgrown, after
which a home timeline page walks posts newest first instead of sorting all of them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parley.accounts import services as accounts
from parley.core.planner import refresh_statistics
from parley.posts.selectors import paginate
from parley.timelines.selectors import home_timeline

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner only")


def _home_page_plan(viewer) -> str:
    with CaptureQueriesContext(connection) as captured:
        paginate(home_timeline(viewer), limit=20)
    page_sql = next(q["sql"] for q in captured.captured_queries
                    if q["sql"].startswith('SELECT "posts_post"."id"'))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {page_sql}")
        return "\n".join(row[3] for row in cursor.fetchall())


@pytest.mark.django_db
def test_statistics_are_gathered_once_then_again_when_posts_outgrow_them(member, publish):
    for i in range(4):
        publish(member, f"post {i}")
    assert refresh_statistics() is True
    assert refresh_statistics() is False  # nothing grew
    for i in range(8):
        publish(member, f"more {i}")
    assert refresh_statistics() is True


@pytest.mark.django_db
def test_home_page_does_not_sort_every_post_once_statistics_exist(member, make_member, publish):
    authors = [make_member(f"author{i}") for i in range(6)]
    for author in authors[:3]:
        accounts.follow(member, author)
    for i in range(240):
        publish(authors[i % len(authors)], f"news {i}")
    # Without statistics even a window of ids is read through the index on state: every post.
    assert "USE TEMP B-TREE FOR ORDER BY" in _home_page_plan(member)
    refresh_statistics(force=True)
    plan = _home_page_plan(member)
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert "SEARCH posts_post USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)" in plan
    page = paginate(home_timeline(member), limit=20)
    assert [p.text for p in page] == [f"news {i}" for i in range(239, 0, -1)
                                      if i % len(authors) < 3][:20]
