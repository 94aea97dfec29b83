"""`parley worker`: run background tasks (fan-out, screening, notices); every minute, the
periodic safety jobs (escalate overdue cases, end timed sanctions, purge content); and every
few seconds the recovery round (heartbeat, stale tasks back to READY, re-queue of posts whose
fan-out never finished)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

log = logging.getLogger("parley.worker")


def run_jobs_forever(interval: float, stop: threading.Event) -> None:
    """Run the periodic jobs every ``interval`` seconds until ``stop`` is set."""
    from parley.safety.cases.jobs import run_periodic_jobs

    while not stop.is_set():
        try:
            close_old_connections()
            run_periodic_jobs()
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


class Command(BaseCommand):
    help = (
        "Run the background task worker of the configured task backend, and the periodic "
        "safety jobs every --jobs-interval seconds."
    )

    def add_arguments(self, parser) -> None:
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

    def handle(self, *args, **options) -> None:
        from django.conf import settings

        from parley.core import taskqueue

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
        if worker_id:
            # Before anything else: tasks a crashed predecessor left RUNNING go back to READY.
            run_recovery(worker_id)
        _warm_up_screening()
        if jobs_interval > 0:
            _start_thread(run_jobs_forever, jobs_interval, stop, name="parley-periodic-jobs")
        if worker_id:  # also when recovery_interval is 0: the heartbeat must go on
            _start_thread(run_recovery_forever, worker_id, recovery_interval, stop,
                          name="parley-recovery")
        try:
            if worker_id:
                call_command("db_worker", interval=options["interval"], no_startup_delay=True,
                             worker_id=worker_id)
            else:
                call_command("rqworker", "default")
        finally:
            stop.set()
            if worker_id:
                _recovery_step("forget heartbeat", lambda: taskqueue.forget(worker_id))
