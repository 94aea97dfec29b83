"""`parley worker`: run background tasks (fan-out, screening, notices); every minute, the
periodic safety jobs (escalate overdue cases, end timed sanctions, purge content), the
notices of ended polls and, on SQLite, the query planner's statistics as posts grow; and every
few seconds the recovery round (heartbeat, stale tasks back to READY, re-queue of posts whose
fan-out never finished).

Queues are taken in the order given (``--queues safety,fanout``): a worker always runs the
next safety task before any fan-out, so a flood of posts never delays a takedown. Embedded,
tasks come from the database queue; with PARLEY_REDIS_URL, from RQ (many machines)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, close_old_connections

log = logging.getLogger("parley.worker")
RQ_WAKE_SECONDS = 3


def run_jobs_forever(interval: float, stop: threading.Event) -> None:
    """Run the periodic jobs every ``interval`` seconds until ``stop`` is set."""
    from parley.core.planner import refresh_statistics
    from parley.posts.polls import notify_ended_polls
    from parley.posts.scheduled import publish_due
    from parley.safety.cases.jobs import run_periodic_jobs

    while not stop.is_set():
        try:
            close_old_connections()
            run_periodic_jobs()
            notify_ended_polls()
            publish_due()
            refresh_statistics()
        except Exception:  # never let one bad run end the loop
            log.exception("periodic jobs failed")
        finally:
            close_old_connections()
        stop.wait(interval)


def _recovery_step(name: str, step: Callable[[], object]) -> None:
    try:
        close_old_connections()
        step()
    except Exception:  # one failing step must not stop the others, nor the loop
        log.exception("recovery: %s failed", name)
    finally:
        close_old_connections()


def run_recovery(worker_id: str | None) -> None:
    """One recovery round. Without ``worker_id`` (tasks run in-process) only the re-queue."""
    from parley.core import taskqueue
    from parley.streaming.services import prune_stream_events
    from parley.timelines.services import requeue_undistributed_posts

    if worker_id:
        _recovery_step("heartbeat", lambda: taskqueue.beat(worker_id))
        _recovery_step("stale tasks", taskqueue.recover_stale_tasks)
    _recovery_step("undistributed posts", requeue_undistributed_posts)
    _recovery_step("old stream events", prune_stream_events)


def run_recovery_forever(worker_id: str | None, interval: float, stop: threading.Event) -> None:
    """Until ``stop`` is set: a recovery round every ``interval`` seconds (0: none), and the
    worker's heartbeat often enough that other workers never take it for dead."""
    from django.conf import settings

    from parley.core import taskqueue

    beat_every = settings.PARLEY_WORKER_HEARTBEAT_TIMEOUT / 3
    tick = min(interval, beat_every) if interval > 0 else beat_every
    next_round = time.monotonic() + interval
    while not stop.wait(tick):
        if interval > 0 and time.monotonic() >= next_round:
            run_recovery(worker_id)
            next_round = time.monotonic() + interval
        elif worker_id:
            _recovery_step("heartbeat", lambda: taskqueue.beat(worker_id))


def _start_thread(target: Callable[..., None], *args: object, name: str) -> None:
    threading.Thread(target=target, args=args, name=name, daemon=True).start()


def _warm_up_screening() -> None:
    """The fan-out task runs the accurate tier: load it before the first post arrives."""
    from parley.safety.screening.pipeline import warm_up

    try:
        log.info("screening: %d detectors ready", warm_up())
    except Exception:
        log.exception("screening warm-up failed")
    finally:
        close_old_connections()


def claim_next_task(queues: list[str], worker_id: str):
    """Claim the next READY task of the first queue in ``queues`` that has one, or None."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

    ready = DBTaskResult.objects.ready().filter(backend_name="default")
    with exclusive_transaction(ready.db):
        try:
            for queue in queues:
                task = ready.filter(queue_name=queue).get_locked()
                if task is not None:
                    task.claim(worker_id)
                    return task
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
    return None


def run_database_queues(queues: list[str], worker_id: str, interval: float,
                        stop: threading.Event) -> None:
    """Run tasks of the database queue, in queue order, until ``stop`` is set."""
    from django_tasks_db.management.commands.db_worker import Worker

    # The library's worker runs each task (result, signals, errors); we choose which one.
    runner = Worker(queue_names=queues, interval=interval, batch=False, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id=worker_id,
                    excluded_queue_names=[])
    while not stop.is_set():
        try:
            close_old_connections()
            task = claim_next_task(queues, worker_id)
            if task is not None:
                runner.run_task(task)
        except Exception:  # a database hiccup must not end the worker: poll again
            log.exception("task queue poll failed")
            task = None
        finally:
            close_old_connections()
        if task is None:
            stop.wait(interval)


def _in_process_worker_class() -> type:
    """RQ's SimpleWorker (each job in the worker's own process: no fork, no new database
    connection, the screening model already loaded), closing Django's database connections
    around each job as a request does: a connection the database dropped is not reused."""
    from rq import SimpleWorker

    class InProcessWorker(SimpleWorker):
        @property
        def dequeue_timeout(self) -> int:
            # A SIGTERM the kernel hands to another thread (redis-py's pub/sub listener)
            # does not interrupt the main thread's wait for a job (BLPOP, 405 s by
            # default): wake every few seconds so that its handler runs.
            return RQ_WAKE_SECONDS

        def execute_job(self, job, queue) -> None:
            close_old_connections()
            try:
                super().execute_job(job, queue)
            finally:
                close_old_connections()

        def unsubscribe(self) -> None:
            # RQ's own asks redis-py 8's listener thread to stop and waits for it without a
            # bound, while the thread may sleep 60 s for a message: SIGTERM then hung the
            # worker. Stop it first, so the unsubscribe reply wakes it to exit.
            if self.pubsub_thread:
                self.pubsub_thread.stop(timeout=0)
                self.pubsub.unsubscribe()
                self.pubsub_thread.join(timeout=1)
                self.pubsub.close()

    return InProcessWorker


def run_rq_queues(queues: list[str], concurrency: int) -> None:
    """Run RQ workers on ``queues`` (taken in order) until SIGTERM / SIGINT: one in this
    process, or a pool of ``concurrency`` worker processes."""
    from django_rq import get_queue
    from django_rq.utils import reset_db_connections
    from rq.utils import import_attribute
    from rq.worker_pool import WorkerPool

    from parley.core.taskqueue import RQ_JOB_CLASS

    job_class = import_attribute(RQ_JOB_CLASS)
    rq_queues = [get_queue(name, job_class=job_class) for name in queues]
    worker_class = _in_process_worker_class()
    reset_db_connections()  # the pool forks: no child may share this process's connection
    if concurrency == 1:
        worker = worker_class(rq_queues, connection=rq_queues[0].connection,
                              job_class=job_class, queue_class=type(rq_queues[0]))
        worker.work(logging_level="INFO")
        return
    pool = WorkerPool(queues=rq_queues, connection=rq_queues[0].connection,
                      num_workers=concurrency, job_class=job_class, worker_class=worker_class)
    pool.start(logging_level="INFO")


class Command(BaseCommand):
    help = (
        "Run background tasks from the configured queue (the database, or Redis with "
        "PARLEY_REDIS_URL), and the periodic safety jobs every --jobs-interval seconds."
    )

    def add_arguments(self, parser) -> None:
        from django.conf import settings

        parser.add_argument(
            "--queues",
            default=",".join(settings.PARLEY_TASK_QUEUES),
            help="comma-separated queues, taken in this order (default: %(default)s)",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=1,
            help="tasks run at once (threads embedded, processes on RQ; default 1)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=0.2,
            help="seconds between polls of the database queue",
        )
        parser.add_argument(
            "--jobs-interval",
            type=float,
            default=60.0,
            help="seconds between runs of the periodic safety jobs (0: do not run them here)",
        )
        parser.add_argument(
            "--recovery-interval",
            type=float,
            default=None,
            help="seconds between recovery rounds: heartbeat, stale tasks, undistributed "
                 "posts (default PARLEY_WORKER_RECOVERY_INTERVAL, 10; 0: none)",
        )

    def _queues(self, value: str) -> list[str]:
        from django.conf import settings

        queues = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in queues if name not in settings.PARLEY_TASK_QUEUES]
        if not queues or unknown:
            raise CommandError(
                f"--queues: unknown queue {unknown[0]!r}; choose from "
                f"{','.join(settings.PARLEY_TASK_QUEUES)}" if unknown else "--queues is empty"
            )
        return queues

    def handle(self, *args, **options) -> None:
        from django.conf import settings

        from parley.core import taskqueue

        queues = self._queues(options["queues"])
        concurrency = options["concurrency"]
        if concurrency < 1:
            raise CommandError("--concurrency must be 1 or more")
        stop = threading.Event()
        jobs_interval = options["jobs_interval"]
        recovery_interval = options["recovery_interval"]
        if recovery_interval is None:
            recovery_interval = settings.PARLEY_WORKER_RECOVERY_INTERVAL
        backend = settings.TASKS["default"]["BACKEND"]
        if not backend.startswith(("django_tasks_db", "django_tasks_rq")):
            self.stdout.write(f"Task backend {backend} runs tasks in-process; running only "
                              "the periodic jobs.")
            if recovery_interval > 0:
                run_recovery(None)
                _start_thread(run_recovery_forever, None, recovery_interval, stop,
                              name="parley-recovery")
            if jobs_interval > 0:
                run_jobs_forever(jobs_interval, stop)
            elif recovery_interval > 0:
                stop.wait()
            return
        worker_id = taskqueue.new_worker_id() if taskqueue.uses_database_queue() else None
        # Before anything else: tasks a crashed predecessor left RUNNING go back to READY,
        # and posts whose fan-out was lost (a killed worker, a lost Redis) are queued again.
        run_recovery(worker_id)
        _warm_up_screening()
        if jobs_interval > 0:
            _start_thread(run_jobs_forever, jobs_interval, stop, name="parley-periodic-jobs")
        # Also when recovery_interval is 0 on the database queue: the heartbeat must go on.
        if worker_id or recovery_interval > 0:
            _start_thread(run_recovery_forever, worker_id, recovery_interval, stop,
                          name="parley-recovery")
        self.stdout.write(f"parley worker: queues {','.join(queues)}, concurrency "
                          f"{concurrency}, {'database' if worker_id else 'RQ'} queue")
        try:
            if worker_id:
                self._run_database_workers(queues, worker_id, concurrency,
                                           options["interval"], stop)
            else:
                run_rq_queues(queues, concurrency)
        finally:
            stop.set()
            if worker_id:
                _recovery_step("forget heartbeat", lambda: taskqueue.forget(worker_id))

    def _run_database_workers(self, queues: list[str], worker_id: str, concurrency: int,
                              interval: float, stop: threading.Event) -> None:
        def stop_after_current_task(signum, frame) -> None:
            log.info("%s: stopping after the running tasks", signal.strsignal(signum))
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, stop_after_current_task)
        threads = [
            threading.Thread(target=run_database_queues, args=(queues, worker_id, interval, stop),
                             name=f"parley-worker-{n}", daemon=True)
            for n in range(concurrency)
        ]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            stop.wait(1)
            if stop.is_set():
                for thread in threads:
                    thread.join()
