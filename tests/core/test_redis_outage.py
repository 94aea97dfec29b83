"""Scaled mode with its Redis down: members still post, read their home timeline, favourite
and follow (no 500s; rate limits are not enforced meanwhile), nothing written is lost, and
once Redis is back the posts are fanned out and rate limits count again."""

from __future__ import annotations

import shutil
import socket
import time

import pytest

from parley.accounts import services as accounts
from parley.core import cache as resilient_cache
from parley.posts import services as posts
from parley.posts.models import Post
from tests.scaled import (
    ThrowawayRedis,
    WorkerProcess,
    needs_postgresql,
    rq_settings,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)
POSTS_PER_HOUR = 2


@pytest.fixture
def redis_server(tmp_path):
    server = ThrowawayRedis(tmp_path)
    yield server
    if server.process.poll() is None:
        server.lose()


@pytest.fixture
def scaled_on(settings, monkeypatch):
    """This process as a scaled web process on the Redis at a URL, rate limits on."""

    def point_at(url: str) -> None:
        rq_settings(settings, url)
        settings.PARLEY_REDIS_URL = url
        settings.PARLEY_HOME_FEEDS = True
        settings.PARLEY_RATE_LIMITS = True
        monkeypatch.setenv("PARLEY_RATE_LIMIT_POST_ACCOUNT", f"{POSTS_PER_HOUR}/3600")

    return point_at


def post_status(client, text: str):
    return client.post("/api/v1/statuses", {"status": text}, format="json")


def home_texts(client) -> list[str]:
    response = client.get("/api/v1/timelines/home")
    assert response.status_code == 200, response.content[:300]
    return [status["content"] for status in response.json()]


@pytest.mark.scaled
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_with_redis_down_members_post_read_and_favourite_and_nothing_is_lost(
        make_member, api_for, scaled_on, redis_server, tmp_path, caplog):
    needs_postgresql()
    author, reader, neighbour = (make_member(name) for name in ("author", "reader", "neighbour"))
    accounts.follow(reader, author)
    earlier = posts.create_post(author, "Before the outage")  # fanned out at once (in-process)
    scaled_on(redis_server.url)
    assert "Before the outage" in " ".join(home_texts(api_for(reader)))  # builds the feed

    redis_server.lose()
    texts = [f"Written while Redis is down, number {n}" for n in range(POSTS_PER_HOUR + 1)]
    for text in texts:  # one over the limit: rate limits are not enforced meanwhile
        response = post_status(api_for(author), text)
        assert response.status_code == 200, response.content[:300]
    assert "number 0" in " ".join(home_texts(api_for(author)))
    assert "Before the outage" in " ".join(home_texts(api_for(reader)))
    favourite = api_for(reader).post(f"/api/v1/statuses/{earlier.pk}/favourite")
    assert favourite.status_code == 200, favourite.content[:300]
    assert favourite.json()["favourites_count"] == 1
    follow = api_for(reader).post(f"/api/v1/accounts/{neighbour.pk}/follow")
    assert follow.status_code == 200, follow.content[:300]
    assert follow.json()["following"] is True
    written = Post.objects.filter(text__in=texts)
    assert written.count() == len(texts)
    outage_warnings = [r for r in caplog.records if r.name == "parley.cache"]
    assert len(outage_warnings) == 1  # once for the outage, not once per request

    redis_server.start()  # back, empty: every queued fan-out was lost with it
    time.sleep(resilient_cache.RETRY_AFTER)
    worker = WorkerProcess(tmp_path, redis_server.url, "--queues", "safety,fanout",
                           "--recovery-interval", "0.5", PARLEY_DISTRIBUTION_GRACE="1")
    try:
        wait_until(lambda: not written.filter(distributed_at__isnull=True).exists(), 120,
                   worker, "the fan-out of the posts written while Redis was down")
    finally:
        worker.stop()
    shown = " ".join(home_texts(api_for(reader)))
    assert all(text in shown for text in texts)
    for n in range(POSTS_PER_HOUR):  # counted again: a fresh window on the new Redis
        assert post_status(api_for(author), f"After the outage {n}").status_code == 200
    over = post_status(api_for(author), "One too many")
    assert over.status_code == 429
    assert "error" in over.json()


@pytest.fixture
def hung_redis():
    """A port that takes connections and never answers, as a hung Redis host does."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


def test_a_hung_redis_delays_a_post_by_seconds_and_loses_nothing(
        member, api_for, settings, scaled_on, hung_redis):
    scaled_on(hung_redis)
    # As the settings build them for PARLEY_REDIS_URL (the other tests' Redis answers).
    settings.RQ_QUEUES = {name: {"URL": f"{hung_redis}?{settings.RQ_SOCKET_TIMEOUTS}"}
                          for name in settings.PARLEY_TASK_QUEUES}

    started = time.monotonic()
    response = post_status(api_for(member), "Posted while Redis hangs")

    assert response.status_code == 200, response.content[:300]
    assert time.monotonic() - started < 10  # not the minutes of a TCP read without timeout
    post = Post.objects.get(pk=response.json()["id"])
    assert post.text == "Posted while Redis hangs" and post.distributed_at is None
