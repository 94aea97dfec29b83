"""Read replicas, on PostgreSQL: the "replica" alias is the same test database through a
connection of its own (Django's TEST MIRROR), so each query says which alias served it.
Timeline and search pages read from the replica; writes, and the reads of a member who has
just written, go to the primary."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from parley.accounts import services as accounts
from parley.posts import services as posts

pytestmark = [
    # tests/settings.py defines the "replica" alias only on PostgreSQL.
    pytest.mark.skipif("replica" not in django_settings.DATABASES,
                       reason="read replicas are PostgreSQL's (set PARLEY_TEST_DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture
def replica(settings):
    if connection.vendor != "postgresql":
        pytest.skip("read replicas are PostgreSQL's (set PARLEY_TEST_DATABASE_URL)")
    settings.PARLEY_READ_REPLICAS = ["replica"]
    settings.PARLEY_REPLICA_STICKY_SECONDS = 30
    return settings


def served(client, path: str) -> tuple[list[str], list[str], object]:
    """(post queries on the primary, all queries on the replica, the response)."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as copy:
        response = client.get(path)
    assert response.status_code == 200, response.content
    post_reads = [q["sql"] for q in primary.captured_queries
                  if q["sql"].startswith("SELECT") and '"posts_post"' in q["sql"]]
    return post_reads, [q["sql"] for q in copy.captured_queries], response


def test_timelines_and_search_read_from_the_replica(replica, make_member, api_for):
    reader, author = make_member("reader"), make_member("author")
    accounts.follow(reader, author)
    posts.create_post(author, "hello from the primary, read on the replica #replicated")
    api = api_for(reader)

    for path in ("/api/v1/timelines/home", "/api/v1/timelines/public",
                 "/api/v1/timelines/tag/replicated", "/api/v2/search?q=replica&type=statuses"):
        on_primary, on_replica, response = served(api, path)
        body = response.json()
        statuses = body["statuses"] if isinstance(body, dict) else body
        assert [s["account"]["username"] for s in statuses] == ["author"], path
        assert on_primary == [], path
        assert any('"posts_post"' in sql for sql in on_replica), path
        assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in on_replica)


def test_the_web_home_page_reads_from_the_replica(replica, make_member, client):
    reader, author = make_member("reader"), make_member("author")
    accounts.follow(reader, author)
    posts.create_post(author, "seen on the web page")
    client.force_login(reader)
    on_primary, on_replica, response = served(client, "/")
    assert b"seen on the web page" in response.content
    assert on_primary == [] and any('"posts_post"' in sql for sql in on_replica)


def test_who_just_wrote_reads_the_primary_then_the_replica_again(replica, make_member,
                                                                 api_for):
    reader = make_member("reader")
    api = api_for(reader)
    assert api.post("/api/v1/statuses", {"status": "my own post"}, format="json").status_code \
        == 200

    on_primary, on_replica, response = served(api, "/api/v1/timelines/home")
    assert [s["content"] for s in response.json()] == ["<p>my own post</p>"]
    assert on_replica == [] and on_primary  # read-your-own-writes: the primary served it

    api.cookies.clear()  # a client that keeps no cookies is still known by its account
    on_primary, on_replica, _ = served(api, "/api/v1/timelines/home")
    assert on_replica == [] and on_primary

    replica.PARLEY_REPLICA_STICKY_SECONDS = 0
    from django.core.cache import cache

    cache.delete(f"parley:wrote:{reader.pk}")  # the sticky window has passed
    on_primary, on_replica, response = served(api, "/api/v1/timelines/home")
    assert [s["content"] for s in response.json()] == ["<p>my own post</p>"]
    assert on_primary == [] and on_replica


def test_without_replicas_everything_reads_the_primary(settings, make_member, api_for):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    reader = make_member("reader")
    posts.create_post(reader, "primary only")
    on_primary, on_replica, _ = served(api_for(reader), "/api/v1/timelines/home")
    assert on_replica == [] and on_primary
