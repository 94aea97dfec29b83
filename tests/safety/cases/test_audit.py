"""The audit log: every decision is in it, and `parley safety verify-audit` notices any
edited or deleted entry; policy changes are admins' and audited."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parley.core.errors import NotAllowed, ValidationFailed
from parley.safety import policy
from parley.safety import services as safety_services
from parley.safety.cases import services
from parley.safety.models import AuditEntry

pytestmark = pytest.mark.django_db


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("safety", "verify-audit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def decided(member, moderator, reported):
    case = reported(member)
    services.claim_case(case, moderator)
    services.take_action(case, moderator, "remove")
    assert AuditEntry.objects.count() >= 5
    return case


def test_an_intact_log_verifies(decided):
    assert "chain intact" in verify()


def test_an_edited_entry_is_detected(decided):
    entry = AuditEntry.objects.get(event="action.remove")
    AuditEntry.objects.filter(pk=entry.pk).update(data={**entry.data, "reason": "nothing"})
    with pytest.raises(CommandError, match=f"BROKEN at entry {entry.pk}: this entry was edited"):
        verify()


def test_a_deleted_entry_is_detected(decided):
    entry = AuditEntry.objects.get(event="case.claimed")
    AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(CommandError, match="before this one is missing"):
        verify()


def test_deleting_the_newest_entries_is_detected_against_a_recorded_head(decided):
    recorded_head = verify().split("Head: ")[1].strip()
    assert recorded_head == AuditEntry.objects.order_by("-id").first().hash
    assert "chain intact" in verify("--expect-head", recorded_head)

    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("-id").first().pk).delete()
    assert "chain intact" in verify()  # the chain alone cannot tell
    with pytest.raises(CommandError, match="recorded head is no longer on the chain: entries "
                       "were deleted from its end"):
        verify("--expect-head", recorded_head)


def test_only_admins_change_policy_and_it_is_audited(moderator, admin_user):
    with pytest.raises(NotAllowed):
        safety_services.change_policy(moderator, "violence", {"hold": 0.8})
    with pytest.raises(ValidationFailed):
        safety_services.change_policy(admin_user, "violence", {"hold": 2})
    safety_services.change_policy(admin_user, "violence", {"hold": 0.8, "deadline_hours": 2})
    assert policy.category_policy("violence").hold == 0.8
    entry = AuditEntry.objects.get(event="policy.changed")
    assert entry.actor_id == admin_user.pk
    assert entry.data["before"]["hold"] == 0.9 and entry.data["after"]["hold"] == 0.8


def test_run_jobs_command_reports_what_it_did(member, moderator, reported):
    out = io.StringIO()
    call_command("safety", "run-jobs", stdout=out)
    assert "Escalated 0 overdue cases" in out.getvalue()
