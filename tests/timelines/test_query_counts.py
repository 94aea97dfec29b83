"""Reading a page costs the same few queries whether it holds 4 posts or 40 (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from parley.accounts import services as accounts
from parley.notifications import selectors as notification_selectors
from parley.posts import selectors, services
from parley.timelines import selectors as timelines

pytestmark = pytest.mark.django_db(transaction=True)


def queries_for(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _fill(reader, authors, per_author: int) -> None:
    for author in authors:
        accounts.follow(reader, author)
        for i in range(per_author):
            post = services.create_post(
                author, f"post {i} by {author.username} #tag @{reader.username}"
            )
            services.favourite(reader, post)


def test_home_timeline_api_page_cost_does_not_grow(make_member, api_for):
    reader = make_member("reader")
    _fill(reader, [make_member() for _ in range(4)], per_author=10)
    api = api_for(reader)
    small = queries_for(lambda: api.get("/api/v1/timelines/home", {"limit": 4}))
    large = queries_for(lambda: api.get("/api/v1/timelines/home", {"limit": 40}))
    assert len(api.get("/api/v1/timelines/home", {"limit": 40}).json()) == 40
    assert large == small
    assert small <= 20


def test_public_and_tag_timelines_page_cost_does_not_grow(make_member):
    reader = make_member("reader")
    _fill(reader, [make_member() for _ in range(4)], per_author=10)
    client = APIClient()
    for url in ("/api/v1/timelines/public", "/api/v1/timelines/tag/tag"):
        small = queries_for(lambda u=url: client.get(u, {"limit": 4}))
        large = queries_for(lambda u=url: client.get(u, {"limit": 40}))
        assert large == small, url


def test_thread_context_cost_does_not_grow(make_member):
    author = make_member("author")
    root = services.create_post(author, "root")

    def grow(n):
        parent = root
        for i in range(n):
            parent = services.create_post(make_member(), f"reply {i}", in_reply_to=parent)

    def read():
        ancestors, descendants = selectors.thread_context(root, author)
        for post in descendants:
            list(post.mentions.all()), post.author.username
        return descendants

    grow(3)
    small = queries_for(read)
    grow(30)
    large = queries_for(read)
    assert len(read()) == 33
    assert large == small


def test_notifications_api_page_cost_does_not_grow(make_member, api_for):
    reader = make_member("reader")
    _fill(reader, [make_member() for _ in range(4)], per_author=10)
    api = api_for(reader)
    small = queries_for(lambda: api.get("/api/v1/notifications", {"limit": 4}))
    large = queries_for(lambda: api.get("/api/v1/notifications", {"limit": 40}))
    assert len(api.get("/api/v1/notifications", {"limit": 40}).json()) == 40
    assert large == small
    assert notification_selectors.notifications_for(reader).count() >= 40
    assert timelines.home_timeline(reader).count() == 40
