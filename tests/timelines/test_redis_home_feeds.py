"""Home timelines on Redis sorted sets (scaled mode), against real Redis: every page is the
page the database gives, whatever the paging, the follows, mutes, blocks and removals; a
lost feed is rebuilt; an author with too many followers is merged in at read time."""

from __future__ import annotations

import itertools

import pytest
from django.test import override_settings

from parley.accounts import services as accounts
from parley.posts import services as posts
from parley.posts.models import PostState, Visibility
from parley.posts.selectors import paginate
from parley.timelines import feeds
from parley.timelines import selectors as timelines
from tests.scaled import needs_redis

pytestmark = [pytest.mark.scaled, needs_redis, pytest.mark.django_db]
FEED_SIZE = 12
FOLLOWER_LIMIT = 3


def forget_every_feed() -> None:
    """What a Redis flush does to the feeds (the queues, on the same Redis, are kept)."""
    client = feeds.client()
    for key in client.scan_iter("parley:home:*"):
        client.delete(key)


@pytest.fixture
def redis_feeds(settings):
    settings.PARLEY_HOME_FEEDS = True
    settings.PARLEY_HOME_FEED_SIZE = FEED_SIZE
    settings.PARLEY_FANOUT_FOLLOWER_LIMIT = FOLLOWER_LIMIT
    forget_every_feed()
    yield settings
    forget_every_feed()


@pytest.fixture
def follow(django_capture_on_commit_callbacks):
    def make(follower, followee) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            accounts.follow(follower, followee)

    return make


def home_ids(viewer, **params) -> list[int]:
    return [p.pk for p in paginate(timelines.home_timeline(viewer), **params)]


def database_home_ids(settings, viewer, **params) -> list[int]:
    """The same page read as the embedded mode reads it (the database's home query)."""
    with override_settings(PARLEY_HOME_FEEDS=False):
        return home_ids(viewer, **params)


@pytest.fixture
def network(redis_feeds, make_member, publish, follow):
    """A reader following two members, a muted one and a big account (more followers than
    the fan-out limit), with posts of every kind interleaved, some held, removed, deleted,
    private, direct; the reader's feed exists before the posts (they come by fan-out)."""
    reader = make_member("reader")
    alice, bob, muted, big, stranger = (
        make_member(name) for name in ("alice", "bob", "muted", "big", "stranger")
    )
    for author in (alice, bob, muted, big):
        follow(reader, author)
    for n in range(FOLLOWER_LIMIT):
        follow(make_member(f"fan{n}"), big)
    accounts.mute(reader, muted)
    assert home_ids(reader) == []  # builds the (empty) feed
    authors = [alice, bob, big, muted, reader, stranger]
    made = []
    for n, author in zip(range(45), itertools.cycle(authors), strict=False):
        options = {}
        if n % 7 == 3:
            options["visibility"] = Visibility.PRIVATE
        if n % 11 == 5:
            options["visibility"] = Visibility.DIRECT
        made.append(publish(author, f"post {n}" + (" @reader" if n % 4 == 0 else ""),
                            **options))
    made.append(publish(bob, "", reblog_of=made[0]))
    made.append(publish(alice, "a reply", in_reply_to=made[1]))
    posts.transition_post(made[6], PostState.REMOVED)
    posts.delete_post(made[13].author, made[13])
    posts.transition_post(made[20], PostState.HELD)
    posts.create_post(alice, "not distributed yet")  # others see it only after fan-out
    return reader, made, big


def test_every_page_of_the_redis_feed_is_the_database_page(network, settings):
    reader, made, big = network
    expected = database_home_ids(settings, reader, limit=40)
    assert len(expected) > FEED_SIZE  # the capped feed cannot hold them all
    assert made[6].pk not in expected and made[13].pk not in expected
    assert made[20].pk not in expected
    assert feeds.client().zscore(feeds.feed_key(reader.pk), made[2].pk) is None  # big: merged
    first_page = timelines.home_timeline(reader).feed_page(
        max_id=None, since_id=None, min_id=None, limit=5
    )
    assert [p.pk for p in first_page] == expected[:5]  # from Redis, not a fallback

    ids = [p.pk for p in made]
    bounds = [None, ids[0] - 1, ids[5], ids[17], ids[30], ids[40], ids[-1] + 1]
    for limit in (1, 4, 20):
        for max_id in bounds:
            for since_id in bounds:
                params = {"max_id": max_id, "since_id": since_id, "limit": limit}
                assert home_ids(reader, **params) == database_home_ids(
                    settings, reader, **params
                ), params
            for min_id in bounds:
                params = {"max_id": max_id, "min_id": min_id, "limit": limit}
                assert home_ids(reader, **params) == database_home_ids(
                    settings, reader, **params
                ), params


def test_a_lost_feed_is_rebuilt_from_the_database(network, settings):
    reader, made, big = network
    expected = database_home_ids(settings, reader, limit=10)
    forget_every_feed()  # Redis flushed, or a new, empty Redis
    assert home_ids(reader, limit=10) == expected
    assert feeds.state(reader.pk).size == FEED_SIZE  # rebuilt, capped


def test_unfollow_mute_block_delete_and_removal_take_effect_at_once(
    redis_feeds, make_member, publish, follow, api_for
):
    reader, author, other = make_member("reader"), make_member("author"), make_member("other")
    follow(reader, author)
    follow(reader, other)
    api = api_for(reader)

    def home() -> list[str]:
        response = api.get("/api/v1/timelines/home")
        assert response.status_code == 200
        return [status["content"] for status in response.json()]

    assert home() == []
    publish(author, "kept")
    removed = publish(author, "to be removed")
    deleted = publish(author, "to be deleted")
    publish(other, "from other")
    assert feeds.client().zscore(feeds.feed_key(reader.pk), removed.pk) == removed.pk
    assert home() == ["<p>from other</p>", "<p>to be deleted</p>", "<p>to be removed</p>",
            "<p>kept</p>"]

    posts.transition_post(removed, PostState.REMOVED)
    posts.delete_post(author, deleted)
    assert home() == ["<p>from other</p>", "<p>kept</p>"]
    accounts.mute(reader, other)
    assert home() == ["<p>kept</p>"]
    accounts.unmute(reader, other)
    assert home() == ["<p>from other</p>", "<p>kept</p>"]
    accounts.unfollow(reader, author)
    assert home() == ["<p>from other</p>"]
    accounts.block(reader, other)
    assert home() == []


def test_a_new_follow_brings_the_accounts_older_posts_at_once(
    redis_feeds, make_member, publish, follow
):
    reader, author = make_member("reader"), make_member("author")
    older = publish(author, "before the follow")
    assert home_ids(reader) == []  # the feed exists, without the author
    follow(reader, author)
    newer = publish(author, "after the follow")
    assert home_ids(reader) == [newer.pk, older.pk]


def test_a_big_accounts_posts_are_merged_not_fanned_out(
    redis_feeds, make_member, publish, follow
):
    big = make_member("big")
    fans = [make_member(f"fan{n}") for n in range(FOLLOWER_LIMIT + 1)]
    for fan in fans:
        follow(fan, big)
        assert home_ids(fan) == []
    post = publish(big, "to everyone")
    for fan in fans:
        assert feeds.client().zscore(feeds.feed_key(fan.pk), post.pk) is None
        assert home_ids(fan) == [post.pk]


def test_without_redis_the_home_timeline_is_read_from_the_database(
    redis_feeds, make_member, publish, follow, settings
):
    reader, author = make_member("reader"), make_member("author")
    follow(reader, author)
    post = publish(author, "still here")
    working = settings.PARLEY_REDIS_URL
    settings.PARLEY_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        assert home_ids(reader) == [post.pk]
    finally:
        settings.PARLEY_REDIS_URL = working
