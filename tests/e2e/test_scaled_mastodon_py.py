"""Scaled mode end to end: Mastodon.py against the web server, the fan-out done by a
`parley worker` process on RQ (Redis), PostgreSQL shared by both."""

import pytest

from tests.e2e.test_mastodon_py import client_for
from tests.scaled import (
    REDIS_URL,
    WorkerProcess,
    empty_rq_queues,
    needs_postgresql,
    needs_redis,
    rq_settings,
    wait_until,
)

pytestmark = [pytest.mark.scaled, pytest.mark.live, needs_redis,
              pytest.mark.django_db(transaction=True)]


def test_a_post_reaches_a_followers_home_through_a_separate_worker(
    live_server, make_member, settings, tmp_path
):
    needs_postgresql()
    rq_settings(settings, REDIS_URL)
    empty_rq_queues(settings)
    make_member("alice"), make_member("bob")
    worker = WorkerProcess(tmp_path, REDIS_URL, "--queues", "safety,fanout")
    try:
        alice = client_for(live_server, "alice@example.org")
        bob = client_for(live_server, "bob@example.org")
        bob.account_follow(alice.account_verify_credentials().id)

        post = alice.status_post("Hello @bob, from the scaled side")

        wait_until(lambda: post.id in [s.id for s in bob.timeline_home()], 90, worker,
                   "the post in bob's home timeline", poll=0.5)
        assert [n.status.id for n in bob.notifications(types=["mention"])] == [post.id]
    finally:
        worker.stop()
