"""`parley worker`: run background tasks (fan-out, screening, notices) and, every minute,
the periodic safety jobs (escalate overdue cases, end timed sanctions, purge content)."""

from __future__ import annotations

import logging
import threading

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

    def handle(self, *args, **options) -> None:
        from django.conf import settings

        stop = threading.Event()
        jobs_interval = options["jobs_interval"]
        backend = settings.TASKS["default"]["BACKEND"]
        in_process = not backend.startswith(("django_tasks_db", "django_tasks_rq"))
        if jobs_interval > 0 and in_process:
            self.stdout.write(f"Task backend {backend} runs tasks in-process; running only "
                              "the periodic safety jobs.")
            run_jobs_forever(jobs_interval, stop)
            return
        _warm_up_screening()
        if jobs_interval > 0:
            threading.Thread(target=run_jobs_forever, args=(jobs_interval, stop),
                             name="parley-periodic-jobs", daemon=True).start()
        try:
            if backend.startswith("django_tasks_db"):
                call_command("db_worker", interval=options["interval"], no_startup_delay=True)
            elif backend.startswith("django_tasks_rq"):
                call_command("rqworker", "default")
            else:
                self.stdout.write(f"Task backend {backend} runs tasks in-process; no worker "
                                  "needed.")
        finally:
            stop.set()
