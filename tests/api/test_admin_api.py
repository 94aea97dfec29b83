"""Mastodon's admin API on Parley's cases: reports and account actions, only for
moderators, with admin scopes that members are never granted."""

from __future__ import annotations

import pytest
from django.test import Client

from parley.posts import services as post_services
from parley.safety.cases import services
from parley.safety.cases.models import CaseState
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ADMIN = "read write admin:read admin:write"


@pytest.fixture
def report(member, other_member):
    post = post_services.create_post(member, "You are all fools, every one of you")
    return services.file_member_report(other_member, member, [post], "violation",
                                       comment="insulting")


def test_reports_list_and_detail_have_mastodon_shapes(api_for, moderator, report, member):
    api = api_for(moderator, ADMIN)
    listed = api.get("/api/v1/admin/reports").json()
    assert [r["id"] for r in listed] == [str(report.pk)]
    entity = api.get(f"/api/v1/admin/reports/{report.pk}").json()
    assert entity["action_taken"] is False and entity["category"] == "violation"
    assert entity["target_account"]["username"] == member.username
    assert entity["target_account"]["account"]["id"] == str(member.pk)
    assert entity["account"]["username"] == "bob"
    assert entity["statuses"][0]["id"] == str(report.case.post_id)
    assert entity["assigned_account"] is None
    assert api.get("/api/v1/admin/reports", {"resolved": "true"}).json() == []
    assert api.get("/api/v1/admin/reports", {"target_account_id": moderator.pk}).json() == []
    assert len(api.get("/api/v1/admin/reports", {"account_id": report.reporter_id}).json()) == 1


def test_assign_unassign_resolve_reopen(api_for, moderator, report):
    api = api_for(moderator, ADMIN)
    base = f"/api/v1/admin/reports/{report.pk}"
    assigned = api.post(f"{base}/assign_to_self").json()
    assert assigned["assigned_account"]["id"] == str(moderator.pk)
    assert api.post(f"{base}/unassign").json()["assigned_account"] is None
    resolved = api.post(f"{base}/resolve").json()
    assert resolved["action_taken"] is True
    report.case.refresh_from_db()
    assert report.case.state == CaseState.CLOSED
    reopened = api.post(f"{base}/reopen").json()
    assert reopened["action_taken"] is False
    assert reopened["parley"]["case_state"] == "open"


def test_a_claimed_report_cannot_be_assigned_by_another(api_for, make_member, moderator,
                                                        report):
    api_for(moderator, ADMIN).post(f"/api/v1/admin/reports/{report.pk}/assign_to_self")
    other = make_member(role="moderator")
    response = api_for(other, ADMIN).post(f"/api/v1/admin/reports/{report.pk}/assign_to_self")
    assert response.status_code == 409 and "Another moderator" in response.json()["error"]


def test_account_actions(api_for, moderator, report, member):
    api = api_for(moderator, ADMIN)
    url = f"/api/v1/admin/accounts/{member.pk}"
    assert api.post(f"{url}/action", {"type": "silence", "text": "Too loud"}).status_code == 200
    assert api.get(url).json()["silenced"] is True
    response = api.post(f"{url}/action", {"type": "suspend", "report_id": report.pk})
    assert response.status_code == 200
    account = api.get(url).json()
    assert account["suspended"] is True and account["email"] == member.email
    report.refresh_from_db()
    assert report.outcome == "actioned"
    assert api.post(f"{url}/action", {"type": "explode"}).status_code == 422
    assert api.post(f"/api/v1/admin/accounts/{moderator.pk}/action",
                    {"type": "suspend"}).status_code == 403


@pytest.mark.parametrize("method, path", [
    ("get", "/api/v1/admin/reports"),
    ("get", "/api/v1/admin/reports/{report}"),
    ("post", "/api/v1/admin/reports/{report}/assign_to_self"),
    ("post", "/api/v1/admin/reports/{report}/resolve"),
    ("get", "/api/v1/admin/accounts/{account}"),
    ("post", "/api/v1/admin/accounts/{account}/action"),
])
def test_members_get_403_even_with_admin_scopes(api_for, other_member, report, member,
                                                method, path):
    url = path.format(report=report.pk, account=member.pk)
    response = getattr(api_for(other_member, ADMIN), method)(url)
    assert response.status_code == 403 and "error" in response.json()


def test_moderator_tokens_without_admin_scope_are_refused(api_for, moderator, report):
    response = api_for(moderator, "read write").get("/api/v1/admin/reports")
    assert response.status_code == 403


def _password_token(username: str, scope: str) -> dict:
    client = Client()
    app = client.post("/api/v1/apps", {"client_name": "mod tool", "redirect_uris":
                                       "urn:ietf:wg:oauth:2.0:oob", "scopes": ADMIN}).json()
    response = client.post("/oauth/token", {
        "grant_type": "password", "username": username, "password": PASSWORD,
        "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": scope,
    })
    assert response.status_code == 200
    return response.json()


def test_admin_scopes_are_granted_only_to_moderators(member, moderator):
    assert _password_token(member.username, ADMIN)["scope"] == "read write"
    token = _password_token(moderator.username, ADMIN)
    assert set(token["scope"].split()) == set(ADMIN.split())
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert api.get("/api/v1/admin/reports").status_code == 200
