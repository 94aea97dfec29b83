"""Scaled mode, for real: a `parley worker` on RQ (Redis) and PostgreSQL, killed with -9 in the
middle of a fan-out, or with its Redis lost, and restarted: every follower's timeline ends
complete, with no post twice and no notification twice, both as the database reads it and
as the Redis home feeds (fan-out on write) page it."""

from __future__ import annotations

import shutil
from collections import Counter

import django_rq
import pytest
from rq.registry import StartedJobRegistry

from parley.accounts import services as accounts
from parley.notifications.models import Notification
from parley.posts import services
from parley.posts.models import Post
from parley.posts.selectors import paginate
from parley.timelines import feeds
from parley.timelines import selectors as timelines
from tests.scaled import (
    REDIS_URL,
    ThrowawayRedis,
    WorkerProcess,
    empty_rq_queues,
    needs_postgresql,
    needs_redis,
    rq_settings,
    wait_until,
)

pytestmark = [pytest.mark.scaled, needs_redis, pytest.mark.django_db(transaction=True)]
POSTS = 25
FOLLOWERS = 12
# Short grace: a post not distributed 2 s after it was written counts as lost.
WORKER_ENV = {"PARLEY_DISTRIBUTION_GRACE": "2"}
WORKER_ARGS = ("--queues", "safety,fanout", "--recovery-interval", "1")


@pytest.fixture
def community(make_member):
    """An author with followers; the first follower is mentioned in every post."""
    needs_postgresql()
    author = make_member("speaker")
    followers = [make_member(f"listener{n}") for n in range(FOLLOWERS)]
    for follower in followers:
        accounts.follow(follower, author)
    return author, followers


def write_posts(author, mentioned, count: int = POSTS) -> list[int]:
    return [
        services.create_post(author, f"update {n} for @{mentioned.username}").pk
        for n in range(count)
    ]


def distributed(ids: list[int]) -> int:
    return Post.objects.filter(pk__in=ids, distributed_at__isnull=False).count()


def assert_every_timeline_complete(ids: list[int], followers) -> None:
    for follower in followers:
        seen = Counter(
            timelines.home_timeline(follower).filter(pk__in=ids).values_list("pk", flat=True)
        )
        assert set(seen) == set(ids), f"{follower.username} misses {set(ids) - set(seen)}"
        assert max(seen.values()) == 1
    mentions = Counter(
        Notification.objects.filter(recipient=followers[0], kind="mention")
        .values_list("post_id", flat=True)
    )
    assert set(mentions) == set(ids) and max(mentions.values()) == 1


def open_home_feeds(followers) -> None:
    """Each follower reads its home once: its Redis feed exists, so fan-outs write to it."""
    for follower in followers:
        paginate(timelines.home_timeline(follower))
        assert feeds.state(follower.pk).ready


def assert_every_home_feed_complete(ids: list[int], followers) -> None:
    """Every post is in each follower's Redis feed, and its home pages (read through that
    feed, not the database fallback) show each post once, newest first."""
    for follower in followers:
        held = {int(pk) for pk in feeds.client().zrange(feeds.feed_key(follower.pk), 0, -1)}
        assert set(ids) <= held, f"{follower.username}'s feed misses {set(ids) - held}"
        page = timelines.home_timeline(follower).feed_page(
            max_id=None, since_id=None, min_id=None, limit=len(ids) + 10
        )
        assert page is not None
        shown = [post.pk for post in page]
        assert shown == sorted(set(shown), reverse=True)  # no duplicates, newest first
        assert set(shown) == set(ids)


def test_a_worker_killed_mid_fan_out_leaves_every_timeline_complete_after_restart(
    community, settings, tmp_path
):
    author, followers = community
    rq_settings(settings, REDIS_URL)
    empty_rq_queues(settings)
    open_home_feeds(followers)
    ids = write_posts(author, followers[0])  # each enqueued to RQ when it commits
    assert distributed(ids) == 0

    running = StartedJobRegistry("fanout", connection=django_rq.get_connection("fanout"))

    in_progress: list[str] = []

    def a_fan_out_runs() -> bool:
        in_progress[:] = running.get_job_ids() if distributed(ids) >= 2 else []
        return bool(in_progress)

    worker = WorkerProcess(tmp_path, REDIS_URL, *WORKER_ARGS, **WORKER_ENV)
    try:
        wait_until(a_fan_out_runs, 90, worker, "a fan-out in progress", poll=0.01)
        worker.kill_hard()  # a fan-out was running a few milliseconds ago
    finally:
        worker.stop()
    assert in_progress and distributed(ids) < POSTS

    restarted = WorkerProcess(tmp_path, REDIS_URL, *WORKER_ARGS, **WORKER_ENV)
    try:
        wait_until(lambda: distributed(ids) == POSTS, 120, restarted, "every fan-out")
    finally:
        restarted.stop()
    assert_every_timeline_complete(ids, followers)
    assert_every_home_feed_complete(ids, followers)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_losing_redis_with_queued_fan_outs_loses_no_post(community, settings, tmp_path, api_for):
    author, followers = community
    first = ThrowawayRedis(tmp_path)
    rq_settings(settings, first.url)
    settings.PARLEY_REDIS_URL = first.url
    open_home_feeds(followers)
    ids = write_posts(author, followers[0], 10)
    first.lose()  # every queued fan-out is gone with it

    # Redis is down: posting still works (the post is committed; its fan-out comes later).
    response = api_for(author).post(
        "/api/v1/statuses", {"status": "while redis is down @listener0"}, format="json"
    )
    assert response.status_code == 200, response.content
    ids.append(int(response.json()["id"]))

    second = ThrowawayRedis(tmp_path)  # a new, empty Redis: no feed, no queued fan-out
    rq_settings(settings, second.url)
    settings.PARLEY_REDIS_URL = second.url
    open_home_feeds(followers)  # rebuilt from the database, before any fan-out ran
    worker = WorkerProcess(tmp_path, second.url, *WORKER_ARGS, **WORKER_ENV)
    try:
        wait_until(lambda: distributed(ids) == len(ids), 120, worker, "every fan-out")
        assert_every_timeline_complete(ids, followers[:1] + followers[-1:])
        assert_every_home_feed_complete(ids, followers)
    finally:
        worker.stop()
        second.lose()
