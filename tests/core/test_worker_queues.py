"""`parley worker --queues safety,fanout`: a worker takes safety work before any fan-out,
whatever was queued first, on the database queue and on RQ alike."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from parley.core import taskqueue
from parley.core.management.commands.worker import run_database_queues
from parley.posts import services
from parley.safety.screening.tasks import screen_post_in_background
from parley.timelines.tasks import distribute_post
from tests.scaled import REDIS_URL, empty_rq_queues, needs_redis, rq_settings

pytestmark = pytest.mark.django_db(transaction=True)
FLOOD = 8


class StopWhenIdle(threading.Event):
    """Lets the worker loop run until its queues are empty."""

    def wait(self, timeout=None) -> bool:
        self.set()
        return True


def flood_then_safety_task(member) -> tuple[list[int], int]:
    """A flood of posts whose fan-outs wait, then one post whose safety task is queued last."""
    posts = [services.create_post(member, f"flood {n}").pk for n in range(FLOOD)]
    for post_id in posts:  # (already queued once by create_post; the flood doubles)
        distribute_post.enqueue(post_id, True)
    reported = services.create_post(member, "the one that matters").pk
    screen_post_in_background.enqueue(reported)
    return posts, reported


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }


def test_the_database_worker_runs_safety_work_before_a_flood_of_fan_outs(database_queue, member):
    flood_then_safety_task(member)
    run_database_queues(["safety", "fanout"], taskqueue.new_worker_id(), 0, StopWhenIdle())
    ran = list(DBTaskResult.objects.order_by("started_at").values_list("queue_name", flat=True))
    assert ran[0] == "safety"
    assert set(ran[1:]) == {"fanout"} and len(ran) == 2 * FLOOD + 2


def test_a_worker_leaves_queues_it_was_not_given(database_queue, member):
    flood_then_safety_task(member)
    run_database_queues(["safety"], taskqueue.new_worker_id(), 0, StopWhenIdle())
    statuses = dict(DBTaskResult.objects.values_list("queue_name", "status").distinct())
    assert statuses == {"safety": "SUCCESSFUL", "fanout": "READY"}


def test_an_unknown_queue_is_refused():
    with pytest.raises(CommandError, match="unknown queue 'takedowns'"):
        call_command("worker", "--queues", "safety,takedowns")
    with pytest.raises(CommandError, match="--concurrency"):
        call_command("worker", "--concurrency", "0")


@pytest.mark.scaled
@needs_redis
def test_an_rq_worker_runs_safety_work_before_a_flood_of_fan_outs(settings, member):
    import django_rq
    from rq import SimpleWorker

    rq_settings(settings, REDIS_URL)
    empty_rq_queues(settings)
    flood_then_safety_task(member)
    fanout = django_rq.get_queue("fanout")
    assert fanout.count == 2 * FLOOD + 1

    # A real RQ worker on both queues, for one job (in this process, so it sees our rows).
    worker = django_rq.get_worker("safety", "fanout", job_class=taskqueue.RQ_JOB_CLASS,
                                  worker_class=SimpleWorker)
    worker.work(burst=True, max_jobs=1)

    assert django_rq.get_queue("safety").count == 0
    assert fanout.count == 2 * FLOOD + 1  # the flood still waits
    empty_rq_queues(settings)
