"""The worker's periodic loop runs the safety jobs and survives a failing run."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from parley.core.management.commands.worker import run_jobs_forever
from parley.safety.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


class Once(threading.Event):
    """Stops the loop after its first run."""

    def wait(self, timeout=None) -> bool:
        self.set()
        return True


def test_the_worker_loop_escalates_overdue_cases(make_member, reported):
    case = reported(make_member())
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    run_jobs_forever(60, Once())
    case.refresh_from_db()
    assert case.escalated


def test_a_failing_job_does_not_stop_the_others(make_member, reported, monkeypatch):
    from parley.safety.cases import jobs

    case = reported(make_member())
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(minutes=5))

    def broken(now=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "purge_expired_content", broken)
    report = jobs.run_periodic_jobs()
    assert report.escalated == 1 and report.purged == 0
