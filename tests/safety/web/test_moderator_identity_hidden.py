"""A sanctioned member learns that the instance decided, never which moderator: not in the
moderation_warning notification, the statement, or the appeal decision (API and web). The
audit log and the moderators' own views keep the moderator."""

from __future__ import annotations

import json

import pytest

from parley.accounts.models import Role
from parley.safety.cases import services
from parley.safety.cases.models import StatementOfReasons
from parley.safety.models import AuditEntry

pytestmark = pytest.mark.django_db
ADMIN = "read write admin:read admin:write"


@pytest.fixture
def first_mod(make_member):
    return make_member("zorblatt", role=Role.MODERATOR)


@pytest.fixture
def second_mod(make_member):
    return make_member("quennifer", role=Role.MODERATOR)


@pytest.fixture
def decided(case, member, first_mod, second_mod) -> StatementOfReasons:
    services.take_action(case, first_mod, "remove", reason="Spam link")
    statement = StatementOfReasons.objects.get(action__case=case)
    appeal = services.file_appeal(statement, member, "It was a joke")
    services.decide_appeal(appeal, second_mod, reverse=False, text="It is spam.")
    return statement


def test_the_api_shows_the_instance_not_the_moderator(decided, member, first_mod, second_mod,
                                                      api_for):
    author = api_for(member, "read write")
    [warning] = author.get("/api/v1/notifications?types[]=moderation_warning").json()
    assert warning["account"]["id"] == str(member.pk)
    statement = author.get(f"/api/parley/v1/statements/{decided.pk}").json()
    assert statement["appeal"]["state"] == "upheld" and "decided_by_id" not in statement["appeal"]
    assert statement["issued_by"]["instance"]
    for shown in (warning, statement):
        text = json.dumps(shown)
        assert first_mod.username not in text and second_mod.username not in text


def test_the_web_pages_show_the_instance_not_the_moderator(decided, member, first_mod,
                                                           second_mod, client_for):
    author = client_for(member)
    for url in ("/notifications", "/statements", f"/statements/{decided.pk}"):
        page = author.get(url).content.decode()
        assert first_mod.username not in page and second_mod.username not in page, url
    assert "by the moderators of" in author.get(f"/statements/{decided.pk}").content.decode()


def test_old_warnings_stored_with_the_moderator_as_actor_are_masked(case, member, first_mod,
                                                                    api_for):
    services.take_action(case, first_mod, "remove")
    from parley.notifications.models import Notification

    Notification.objects.filter(kind="moderation_warning").update(actor=first_mod)
    [warning] = api_for(member, "read").get("/api/v1/notifications").json()
    assert warning["account"]["id"] == str(member.pk)


def test_the_audit_log_and_moderators_keep_the_moderator(decided, case, first_mod, second_mod,
                                                         api_for):
    assert AuditEntry.objects.get(event="action.remove").actor_id == first_mod.pk
    assert AuditEntry.objects.get(event="appeal.decided").actor_id == second_mod.pk
    detail = api_for(second_mod, ADMIN).get(f"/api/parley/v1/cases/{case.pk}").json()
    assert detail["actions"][0]["moderator_id"] == str(first_mod.pk)
    assert detail["appeals"][0]["decided_by_id"] == str(second_mod.pk)
