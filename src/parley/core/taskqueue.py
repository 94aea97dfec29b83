"""Recovery of the database task queue: worker heartbeats, and tasks a lost worker left RUNNING.

django-tasks-db marks a task RUNNING when a worker claims it (``DBTaskResult.status``,
``started_at``, and the claiming worker appended to ``worker_ids``) and nothing ever resets
it if that worker dies. ``recover_stale_tasks`` puts such tasks back to READY (or FAILED
after ``PARLEY_TASK_MAX_ATTEMPTS`` claims, so a task that kills its worker cannot crash-loop
it forever). Our tasks are idempotent, so running one twice is safe."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from parley.core.models import WorkerHeartbeat

log = logging.getLogger("parley.worker")
HEARTBEATS_KEPT = timedelta(days=1)
# RQ workers must run jobs with django-tasks-rq's job class: it calls the task function.
RQ_JOB_CLASS = "django_tasks_rq.backend.Job"


class WorkerLost(Exception):
    """Recorded on a task that was claimed too many times by workers that then died."""


@dataclass(frozen=True)
class RecoveryReport:
    requeued: int = 0
    failed: int = 0


def _hostname() -> str:
    return socket.gethostname()[:40]


def new_worker_id() -> str:
    """``host:pid:random``: lets a worker on the same host tell at once that a pid is gone."""
    return f"{_hostname()}:{os.getpid()}:{get_random_string(8)}"


def _parse_worker_id(worker_id: str) -> tuple[str, int] | None:
    parts = worker_id.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def beat(worker_id: str) -> None:
    """Record that ``worker_id`` is alive."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": _hostname(), "pid": os.getpid(), "last_seen_at": now},
        create_defaults={"hostname": _hostname(), "pid": os.getpid(), "started_at": now,
                         "last_seen_at": now},
    )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly removes its heartbeat."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _worker_is_gone(worker_id: str, heartbeats: dict[str, datetime], now: datetime) -> bool:
    address = _parse_worker_id(worker_id)
    if address is None:  # not started by `parley worker`: only the running timeout applies
        return False
    hostname, pid = address
    if hostname == _hostname() and not _pid_alive(pid):
        return True
    seen = heartbeats.get(worker_id)
    timeout = timedelta(seconds=settings.PARLEY_WORKER_HEARTBEAT_TIMEOUT)
    return seen is None or seen < now - timeout


def _is_stale(task, heartbeats: dict[str, datetime], now: datetime) -> bool:
    running_for = timedelta(seconds=settings.PARLEY_TASK_RUNNING_TIMEOUT)
    if task.started_at is None or task.started_at < now - running_for:
        return True
    return bool(task.worker_ids) and _worker_is_gone(task.worker_ids[-1], heartbeats, now)


def recover_stale_tasks(now: datetime | None = None) -> RecoveryReport:
    """Put RUNNING tasks whose worker is gone, or that ran too long, back to READY."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    heartbeats = dict(WorkerHeartbeat.objects.values_list("worker_id", "last_seen_at"))
    requeued = failed = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for task in running.only("id", "started_at", "worker_ids", "task_path"):
        if not _is_stale(task, heartbeats, now):
            continue
        # Only if nobody touched the row since we read it (a finishing worker wins).
        same_claim = DBTaskResult.objects.filter(
            Q(pk=task.pk, status=TaskResultStatus.RUNNING)
            & (Q(started_at=task.started_at) if task.started_at else Q(started_at__isnull=True))
        )
        if len(task.worker_ids) >= settings.PARLEY_TASK_MAX_ATTEMPTS:
            failed += same_claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: claimed {len(task.worker_ids)} times by workers "
                          "that died or timed out",
            )
            log.error("task %s (%s) failed: its workers died %d times", task.pk,
                      task.task_path, len(task.worker_ids))
            continue
        if same_claim.update(status=TaskResultStatus.READY):
            requeued += 1
            worker = task.worker_ids[-1] if task.worker_ids else "?"
            log.warning("task %s (%s) re-queued: worker %s is gone or the task ran too long",
                        task.pk, task.task_path, worker)
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - HEARTBEATS_KEPT).delete()
    return RecoveryReport(requeued=requeued, failed=failed)


def uses_database_queue() -> bool:
    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")


def task_runs(task: Any, **args_kwargs_lookup: Any) -> dict[str, int]:
    """How many times ``task`` was queued matching a lookup on its arguments, by status.

    Empty unless the database queue is in use (other backends keep no rows we can read)."""
    if not uses_database_queue():
        return {}
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    lookup = {f"args_kwargs__{key}": value for key, value in args_kwargs_lookup.items()}
    rows = (
        DBTaskResult.objects.filter(task_path=task.module_path, **lookup)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def uses_rq() -> bool:
    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq")


def rq_job_pending(job_id: str, running_grace: timedelta) -> bool:
    """Whether RQ job ``job_id`` will still run: it sits in its queue's list, or a worker
    started it less than ``running_grace`` ago.

    RQ's own status is not enough: a job whose worker was killed at the wrong moment can
    stay QUEUED in no list, or STARTED for minutes, until RQ's maintenance notices."""
    import django_rq
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        job = Job.fetch(job_id, connection=django_rq.get_connection())
    except NoSuchJobError:
        return False
    status = job.get_status()
    if status == JobStatus.QUEUED:
        return django_rq.get_queue(job.origin).get_job_position(job_id) is not None
    if status == JobStatus.STARTED and job.started_at is not None:
        started = job.started_at
        if timezone.is_naive(started):  # RQ keeps UTC
            started = timezone.make_aware(started, UTC)
        return started > timezone.now() - running_grace
    return status in (JobStatus.SCHEDULED, JobStatus.DEFERRED)
