"""Parley's safety API (cases, actions, appeals, statements, policy) and the notifier API:
who may reach what, and what they see."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from parley.posts import services as post_services
from parley.safety.cases import services

pytestmark = pytest.mark.django_db
ADMIN = "read write admin:read admin:write"


@pytest.fixture
def case(member, other_member, publish):
    post = publish(member, "You are all fools, every one of you")
    return services.file_member_report(other_member, member, [post], "violation").case


@pytest.fixture
def notifier_client():
    def make(kind: str = "hosting_provider", name: str = "Acme abuse desk") -> APIClient:
        _, token = services.create_notifier(name, kind)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


def post_url(post) -> str:
    return f"http://testserver/@{post.author.username}/{post.pk}"


def test_moderator_works_a_case_through_the_api(api_for, moderator, case, member):
    api = api_for(moderator, ADMIN)
    queue = api.get("/api/parley/v1/cases").json()
    assert queue[0]["id"] == str(case.pk) and queue[0]["time_left_seconds"] > 0
    detail = api.get(f"/api/parley/v1/cases/{case.pk}").json()
    assert detail["status"]["id"] == str(case.post_id)
    assert [n["source"] for n in detail["notices"] if n["source"] == "member"] == ["member"]
    assert api.post(f"/api/parley/v1/cases/{case.pk}/claim").json()["claimed_by_id"] == str(
        moderator.pk)
    action = api.post(f"/api/parley/v1/cases/{case.pk}/actions",
                      {"kind": "remove", "reason": "Insults"}, format="json")
    assert action.status_code == 201 and action.json()["statement_id"]
    suspend = api.post(f"/api/parley/v1/cases/{case.pk}/actions",
                       {"kind": "suspend", "duration_hours": 48}, format="json").json()
    assert suspend["ends_at"]
    assert api.get("/api/parley/v1/cases").json() == []
    # Suspended, the author can still read why and appeal.
    author = api_for(member, "read write")
    mine = author.get("/api/parley/v1/statements").json()
    assert {s["measure"] for s in mine} == {"remove", "suspend"}
    appeal = author.post(f"/api/parley/v1/statements/{mine[0]['id']}/appeal",
                         {"text": "Please look again"}, format="json")
    assert appeal.status_code == 201
    assert author.get("/api/v1/timelines/home").status_code == 403


def test_action_errors_are_mastodon_shaped(api_for, moderator, case):
    api = api_for(moderator, ADMIN)
    bad = api.post(f"/api/parley/v1/cases/{case.pk}/actions", {"kind": "nuke"}, format="json")
    assert bad.status_code == 422 and "Unknown action" in bad.json()["error"]
    assert api.get("/api/parley/v1/cases/999999").status_code == 404


def test_author_appeals_and_a_different_moderator_decides(api_for, moderator, make_member,
                                                          case, member):
    services.take_action(case, moderator, "remove")
    author = api_for(member, "read write")
    statement = author.get("/api/parley/v1/statements").json()[0]
    assert statement["url"].endswith(f"/statements/{statement['id']}")
    assert statement["redress"]["appeal"]
    appeal = author.post(f"/api/parley/v1/statements/{statement['id']}/appeal",
                         {"text": "Satire"}, format="json")
    assert appeal.status_code == 201
    appeal_id = appeal.json()["id"]
    same = api_for(moderator, ADMIN).post(f"/api/parley/v1/appeals/{appeal_id}/decide",
                                          {"reverse": True, "text": "ok"}, format="json")
    assert same.status_code == 403
    other = api_for(make_member(role="moderator"), ADMIN)
    assert [a["id"] for a in other.get("/api/parley/v1/appeals").json()] == [appeal_id]
    decided = other.post(f"/api/parley/v1/appeals/{appeal_id}/decide",
                         {"reverse": True, "text": "It is satire"}, format="json")
    assert decided.status_code == 200 and decided.json()["state"] == "reversed"
    assert APIClient().get(f"/api/v1/statuses/{case.post_id}").status_code == 200


def test_statements_are_private_to_their_recipient(api_for, moderator, case, other_member):
    services.take_action(case, moderator, "remove")
    statement_id = case.actions.get().statement.pk
    stranger = api_for(other_member, "read write")
    response = stranger.get(f"/api/parley/v1/statements/{statement_id}")
    assert response.status_code == 404
    appeal = stranger.post(
        f"/api/parley/v1/statements/{statement_id}/appeal", {"text": "x"}, format="json")
    assert appeal.status_code == 404


def test_policy_is_read_by_moderators_and_changed_only_by_admins(api_for, moderator,
                                                                 admin_user):
    mod = api_for(moderator, ADMIN)
    categories = {c["category"] for c in mod.get("/api/parley/v1/policy").json()["categories"]}
    assert "violence" in categories
    change = {"violence": {"hold": 0.85}}
    assert mod.patch("/api/parley/v1/policy", change, format="json").status_code == 403
    admin = api_for(admin_user, ADMIN)
    done = admin.patch("/api/parley/v1/policy", change, format="json")
    assert done.status_code == 200
    violence = [c for c in done.json()["categories"] if c["category"] == "violence"][0]
    assert violence["hold"] == 0.85
    bad = admin.patch("/api/parley/v1/policy",
                                           {"violence": {"hold": "high"}}, format="json")
    assert bad.status_code == 422


@pytest.mark.parametrize("method, path", [
    ("get", "/api/parley/v1/cases"),
    ("get", "/api/parley/v1/cases/{case}"),
    ("post", "/api/parley/v1/cases/{case}/claim"),
    ("post", "/api/parley/v1/cases/{case}/actions"),
    ("post", "/api/parley/v1/cases/{case}/referral"),
    ("get", "/api/parley/v1/appeals"),
    ("get", "/api/parley/v1/policy"),
    ("patch", "/api/parley/v1/policy"),
    ("get", "/api/parley/v1/notifiers"),
])
def test_members_get_403_on_moderator_endpoints(api_for, other_member, case, method, path):
    response = getattr(api_for(other_member, ADMIN), method)(path.format(case=case.pk))
    assert response.status_code == 403 and "error" in response.json()


def test_notifier_files_and_tracks_a_notice(notifier_client, moderator, member):
    post = post_services.create_post(member, "Meet at the square with weapons")
    desk = notifier_client()
    filed = desk.post("/api/parley/v1/notices", {
        "url": post_url(post), "category": "violence",
        "explanation": "Calls to bring weapons to a rally"}, format="json")
    assert filed.status_code == 201
    receipt = filed.json()["receipt"]
    assert filed["Location"].endswith(f"/api/parley/v1/notices/{receipt}")
    assert filed.json()["status"] == "received" and filed.json()["outcome"] == "pending"

    from parley.safety.cases.selectors import notice_by_receipt

    services.take_action(notice_by_receipt(receipt).case, moderator, "remove")
    tracked = desk.get(f"/api/parley/v1/notices/{receipt}").json()
    assert tracked["outcome"] == "actioned" and tracked["status"] == "decided"
    assert [n["receipt"] for n in desk.get("/api/parley/v1/notices").json()] == [receipt]


def test_authority_removal_order_has_a_one_hour_deadline(notifier_client, member):
    post = post_services.create_post(member, "Details of the meeting at noon")
    police = notifier_client("authority", "Police unit")
    order = police.post("/api/parley/v1/notices", {
        "url": post_url(post), "category": "risk_for_public_security",
        "explanation": "Removal order 17/2026 under TCO", "removal_order": True},
        format="json").json()
    assert order["removal_order"] is True and order["deadline"]


def test_notifier_errors_are_clear(notifier_client, member):
    desk = notifier_client()
    missing = desk.post("/api/parley/v1/notices", {"url": "http://testserver/@x/1"},
                        format="json")
    assert missing.status_code == 422 and missing.json()["error"] == "category is required"
    wrong = desk.post("/api/parley/v1/notices", {
        "url": "https://other.example/@a/1", "category": "violence",
        "explanation": "Something bad here"}, format="json")
    assert wrong.status_code == 422 and "not this instance" in wrong.json()["error"]
    category = desk.post("/api/parley/v1/notices", {
        "url": f"http://testserver/@{member.username}", "category": "rude",
        "explanation": "Something bad here"}, format="json")
    assert "one of" in category.json()["error"]
    assert desk.get("/api/parley/v1/notices/0123456789abcdef").status_code == 404


def test_another_notifiers_receipts_are_not_found(notifier_client, member):
    post = post_services.create_post(member, "Details of the meeting at noon")
    first = notifier_client("hosting_provider", "Desk one")
    receipt = first.post("/api/parley/v1/notices", {
        "url": post_url(post), "category": "violence", "explanation": "A threat here"},
        format="json").json()["receipt"]
    second = notifier_client("trusted_flagger", "Desk two")
    assert second.get(f"/api/parley/v1/notices/{receipt}").status_code == 404


def test_tokens_reach_only_their_own_api(notifier_client, api_for, moderator, member):
    desk = notifier_client()
    assert desk.get("/api/v1/accounts/verify_credentials").status_code == 401
    assert desk.get("/api/parley/v1/cases").status_code == 401
    assert desk.get("/api/v1/admin/reports").status_code == 401
    oauth = api_for(moderator, ADMIN)
    refused = oauth.get("/api/parley/v1/notices")
    assert refused.status_code == 401 and "notifier tokens" in refused.json()["error"]
    anonymous = APIClient().post("/api/parley/v1/notices", {}, format="json")
    assert anonymous.status_code == 401 and "parley notifier create" in anonymous.json()["error"]
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer pnt_forged")
    assert bad.get("/api/parley/v1/notices").json()["error"].startswith("The notifier token")


def test_the_openapi_document_describes_the_safety_api(db):
    schema = APIClient().get("/api/openapi.json", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"] if schema["Content-Type"].startswith(
        "application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(schema.content)["paths"]
    # Paths are documented as Mastodon spells them, without a trailing slash.
    for path in ("/api/parley/v1/notices", "/api/parley/v1/cases/{case_id}/actions",
                 "/api/parley/v1/statements/{statement_id}/appeal", "/api/v1/admin/reports"):
        assert path in paths


def test_a_legal_hold_is_set_through_the_api(api_for, moderator, case):
    api = api_for(moderator, ADMIN)
    held = api.post(f"/api/parley/v1/cases/{case.pk}/legal_hold",
                    {"held": True, "reason": "Prosecutor's request"}, format="json")
    assert held.status_code == 200 and held.json()["legal_hold"] is True


def test_reports_are_rate_limited_per_account(api_for, other_member, member, settings,
                                              monkeypatch, publish):
    settings.PARLEY_RATE_LIMITS = True
    monkeypatch.setenv("PARLEY_RATE_LIMIT_REPORT_ACCOUNT", "2/3600")
    reporter = api_for(other_member, "read write")
    posts = [publish(member, f"Post number {i}") for i in range(3)]
    codes = [reporter.post("/api/v1/reports", {"account_id": member.pk, "status_ids": [p.pk],
                                               "category": "spam"}, format="json").status_code
             for p in posts]
    assert codes == [200, 200, 429]


def test_a_reporter_appeals_a_rejected_report(api_for, moderator, member, other_member,
                                              publish):
    post = publish(member, "Post that somebody dislikes")
    reporter = api_for(other_member, "read write")
    report = reporter.post("/api/v1/reports", {"account_id": member.pk, "status_ids": [post.pk],
                                               "category": "violation"}, format="json").json()
    early = reporter.post(f"/api/parley/v1/reports/{report['id']}/appeal", {"text": "Look"},
                          format="json")
    assert early.status_code == 422
    from parley.safety.cases.models import Notice

    services.take_action(Notice.objects.get(pk=report["id"]).case, moderator, "dismiss")
    stranger = api_for(member, "read write").post(
        f"/api/parley/v1/reports/{report['id']}/appeal", {"text": "x"}, format="json")
    assert stranger.status_code == 404
    appeal = reporter.post(f"/api/parley/v1/reports/{report['id']}/appeal",
                           {"text": "It names my address"}, format="json")
    assert appeal.status_code == 201 and appeal.json()["state"] == "pending"


def test_notifier_api_is_rate_limited_with_mastodon_headers(notifier_client, member, settings,
                                                            monkeypatch):
    settings.PARLEY_RATE_LIMITS = True
    monkeypatch.setenv("PARLEY_RATE_LIMIT_API_TOKEN", "2/300")
    desk = notifier_client()
    first = desk.get("/api/parley/v1/notices")
    assert first.status_code == 200 and first["X-RateLimit-Remaining"] == "1"
    assert desk.get("/api/parley/v1/notices").status_code == 200
    limited = desk.get("/api/parley/v1/notices")
    assert limited.status_code == 429 and limited["X-RateLimit-Limit"] == "2"
    assert "error" in limited.json()
