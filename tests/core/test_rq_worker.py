"""`parley worker` on RQ runs jobs in its own processes (no fork per job): a failing job,
or a database connection dropped between jobs, does not stop the next job, and SIGTERM
stops it cleanly."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks import TaskResultStatus

from parley.accounts import services as accounts
from parley.posts import services as posts
from parley.posts.models import Post
from tests.core.worker_tasks import explode, where_it_ran
from tests.scaled import (
    REDIS_URL,
    WorkerProcess,
    empty_rq_queues,
    needs_postgresql,
    needs_redis,
    rq_settings,
    wait_until,
)

pytestmark = [pytest.mark.scaled, needs_redis, pytest.mark.django_db(transaction=True)]
REPEATS = 6


def parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def drop_other_database_connections() -> int:
    """What a database restart does to the worker: its connections are closed under it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.rowcount


def post_is_distributed(worker: WorkerProcess, author, text: str) -> None:
    post = posts.create_post(author, text)
    wait_until(lambda: Post.objects.filter(pk=post.pk, distributed_at__isnull=False).exists(),
               60, worker, f"the fan-out of {text!r}")


def finished(result) -> bool:
    result.refresh()
    return result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


@pytest.mark.parametrize("concurrency", [1, 2])
def test_an_rq_worker_outlives_failures_and_dropped_connections_and_stops_on_sigterm(
        settings, make_member, tmp_path, concurrency):
    needs_postgresql()
    author, reader = make_member("author"), make_member("reader")
    accounts.follow(reader, author)
    rq_settings(settings, REDIS_URL)
    empty_rq_queues(settings)
    worker = WorkerProcess(tmp_path, REDIS_URL, "--queues", "safety,fanout",
                           "--recovery-interval", "0", "--concurrency", str(concurrency))
    try:
        failing = explode.enqueue()
        wait_until(lambda: finished(failing), 60, worker, "the failing task")
        assert failing.status == TaskResultStatus.FAILED
        post_is_distributed(worker, author, "After a task that failed")

        runs = [where_it_ran.enqueue() for _ in range(REPEATS)]
        wait_until(lambda: all(finished(run) for run in runs), 60, worker, "the pid tasks")
        pids = {run.return_value for run in runs}
        assert len(pids) <= concurrency  # the same process(es) each time, no fork per job
        assert all(worker.process.pid in (pid, parent_pid(pid)) for pid in pids)

        assert drop_other_database_connections() >= 1
        post_is_distributed(worker, author, "After the database dropped the connections")

        os.killpg(worker.process.pid, signal.SIGTERM)
        started = time.monotonic()
        assert worker.process.wait(timeout=20) == 0, worker.output()
        assert time.monotonic() - started < 20
    finally:
        worker.stop()


def signal_a_thread_other_than_main(pid: int, signum: int) -> None:
    """As the kernel may do with a process's SIGTERM: hand it to any of its threads."""
    import ctypes

    tgkill = getattr(ctypes.CDLL(None, use_errno=True), "tgkill", None)
    if tgkill is None:
        pytest.skip("needs glibc's tgkill")
    threads = sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid)
    assert threads, "the worker runs helper threads"
    assert tgkill(pid, threads[-1], signum) == 0


def test_sigterm_taken_by_a_helper_thread_still_stops_an_idle_rq_worker(settings, tmp_path):
    needs_postgresql()
    rq_settings(settings, REDIS_URL)
    worker = WorkerProcess(tmp_path, REDIS_URL, "--queues", "safety,fanout",
                           "--recovery-interval", "0")
    try:
        wait_until(lambda: "Listening on" in worker.output(), 60, worker, "the worker's start")
        signal_a_thread_other_than_main(worker.process.pid, signal.SIGTERM)
        assert worker.process.wait(timeout=10) == 0, worker.output()
    finally:
        worker.stop()
