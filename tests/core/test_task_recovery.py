"""Tasks a dead worker left RUNNING go back to the queue and complete; live work is left alone."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from parley.accounts import services as accounts
from parley.core import taskqueue
from parley.core.management.commands.worker import run_recovery, run_recovery_forever
from parley.core.models import WorkerHeartbeat
from parley.notifications.models import Notification
from parley.posts import services
from parley.timelines import selectors as timelines
from parley.timelines.tasks import distribute_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }


def run_queue(worker_id: str | None = None) -> None:
    """A real django-tasks-db worker that runs every READY task, then returns."""
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id=worker_id or taskqueue.new_worker_id(),
           excluded_queue_names=[]).run()


def dead_worker_id() -> str:
    """The id a `parley worker` on this host had, whose process has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{taskqueue.new_worker_id().split(':')[0]}:{process.pid}:deadbeef"


@pytest.fixture
def posted(database_queue, member, other_member):
    """A follower, and a post mentioning them whose fan-out task waits in the queue."""
    accounts.follow(other_member, member)
    post = services.create_post(member, "hello @bob")
    task = DBTaskResult.objects.get(task_path=distribute_post.module_path)
    return post, task


def test_a_task_left_running_by_a_dead_worker_is_requeued_and_completes(posted, other_member):
    post, task = posted
    task.claim(dead_worker_id())  # what the worker did just before it was killed
    run_queue()
    assert not timelines.home_timeline(other_member).filter(pk=post.pk).exists()

    report = taskqueue.recover_stale_tasks()

    assert report.requeued == 1
    run_queue()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == "distributed"
    assert [p.pk for p in timelines.home_timeline(other_member)] == [post.pk]
    assert Notification.objects.filter(recipient=other_member, kind="mention").count() == 1


def test_a_new_worker_recovers_its_predecessors_task_at_start(posted, other_member):
    post, task = posted
    task.claim(dead_worker_id())
    new_worker = taskqueue.new_worker_id()
    run_recovery(new_worker)  # what `parley worker` does before it takes tasks
    run_queue(new_worker)
    assert timelines.home_timeline(other_member).filter(pk=post.pk).exists()
    assert WorkerHeartbeat.objects.filter(worker_id=new_worker).exists()


def test_a_task_of_a_live_worker_is_left_alone(posted):
    _, task = posted
    live = taskqueue.new_worker_id()  # this process: alive
    taskqueue.beat(live)
    task.claim(live)
    assert taskqueue.recover_stale_tasks().requeued == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_worker_on_another_host_is_gone_once_its_heartbeat_is_old(posted, settings):
    _, task = posted
    elsewhere = "other-host:4242:abcdefgh"
    WorkerHeartbeat.objects.create(worker_id=elsewhere, hostname="other-host", pid=4242)
    task.claim(elsewhere)
    assert taskqueue.recover_stale_tasks().requeued == 0
    old = timezone.now() - timedelta(seconds=settings.PARLEY_WORKER_HEARTBEAT_TIMEOUT + 1)
    WorkerHeartbeat.objects.filter(worker_id=elsewhere).update(last_seen_at=old)
    assert taskqueue.recover_stale_tasks().requeued == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


def test_a_task_running_longer_than_the_timeout_is_requeued(posted, settings):
    _, task = posted
    live = taskqueue.new_worker_id()
    taskqueue.beat(live)
    task.claim(live)
    later = timezone.now() + timedelta(seconds=settings.PARLEY_TASK_RUNNING_TIMEOUT + 1)
    assert taskqueue.recover_stale_tasks(now=later).requeued == 1


def test_a_task_that_keeps_killing_its_worker_fails_instead_of_looping(posted, settings):
    _, task = posted
    for _ in range(settings.PARLEY_TASK_MAX_ATTEMPTS):
        task.claim(dead_worker_id())
        taskqueue.recover_stale_tasks()
        task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "parley.core.taskqueue.WorkerLost"


def test_the_fan_out_task_is_idempotent(posted, other_member):
    post, _ = posted
    assert distribute_post.call(post.pk, True) == "distributed"
    assert distribute_post.call(post.pk, True) == "skipped"
    assert Notification.objects.filter(recipient=other_member, kind="mention").count() == 1
    assert timelines.home_timeline(other_member).filter(pk=post.pk).count() == 1


class OneTick(threading.Event):
    """Lets the loop run once, then stops it."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0

    def wait(self, timeout=None) -> bool:
        self.ticks += 1
        return self.ticks > 1


def test_the_worker_keeps_its_heartbeat_even_without_recovery_rounds(database_queue):
    worker_id = taskqueue.new_worker_id()
    run_recovery_forever(worker_id, 0, OneTick())
    assert WorkerHeartbeat.objects.filter(worker_id=worker_id).exists()
