"""The whole moderation loop as outsiders drive it against a live server: a member reports
through Mastodon.py, a hosting provider's abuse desk files a notice with plain HTTP, a
moderator works the case through Mastodon.py's admin functions and the safety API, the
author reads the statement of reasons and appeals, another moderator reverses, and the
audit log verifies."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from mastodon import Mastodon
from mastodon.errors import MastodonNotFoundError

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
MEMBER_SCOPES = ["read", "write", "follow"]
MODERATOR_SCOPES = ["read", "write", "follow", "admin:read", "admin:write"]


def client_for(live_server, email: str, scopes: list[str] = MEMBER_SCOPES) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "moderation-e2e", api_base_url=live_server.url, scopes=scopes
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret,
                   api_base_url=live_server.url)
    api.log_in(email, PASSWORD, scopes=scopes, allow_http=True)
    return api


def http(method: str, url: str, token: str | None = None, body: dict | None = None
         ) -> tuple[int, dict | list]:
    """A plain HTTP call, as an abuse desk's script or curl would make it."""
    request = urllib.request.Request(
        url, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_report_notice_decision_statement_appeal_reversal(live_server, make_member):
    make_member("alice"), make_member("bob")
    make_member("mod1", role="moderator"), make_member("mod2", role="moderator")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")
    mod1 = client_for(live_server, "mod1@example.org", MODERATOR_SCOPES)
    mod2 = client_for(live_server, "mod2@example.org", MODERATOR_SCOPES)
    api = f"{live_server.url}/api/parley/v1"

    post = alice.status_post("Everyone on this street is a fool and deserves what comes")
    me = alice.account_verify_credentials()

    # A member reports the post through Mastodon's report API.
    report = bob.report(me.id, status_ids=[post.id], comment="menacing", category="violation")
    assert report.target_account.id == me.id

    # The hosting provider's abuse desk files a notice about the same post with plain HTTP.
    out = io.StringIO()
    call_command("notifier", "create", "Acme Hosting abuse desk", "--kind",
                 "hosting_provider", stdout=out, stderr=io.StringIO())
    desk_token = out.getvalue().strip()
    status, notice = http("POST", f"{api}/notices", desk_token, {
        "url": post.url, "category": "violence",
        "explanation": "Our customer's instance hosts a threat against residents."})
    assert status == 201 and notice["status"] == "received"
    receipt = notice["receipt"]

    # Moderator one finds the report through Mastodon.py's admin functions and claims it.
    reports = mod1.admin_reports()
    assert [r.id for r in reports] == [report.id]
    assigned = mod1.admin_report_assign(report.id)
    assert assigned.assigned_account.id == mod1.account_verify_credentials().id
    assert mod1.admin_report(report.id).target_account.username == "alice"
    assert mod1.admin_account(me.id).suspended is False

    # The case holds both notices; moderator one removes the post through the safety API.
    status, queue = http("GET", f"{api}/cases", mod1.access_token)
    case_id = queue[0]["id"]
    status, case = http("GET", f"{api}/cases/{case_id}", mod1.access_token)
    assert {"member", "hosting_provider"} <= {n["source"] for n in case["notices"]}
    assert case["claimed_by_id"] is not None
    status, other_claim = http("POST", f"{api}/cases/{case_id}/claim", mod2.access_token)
    assert status == 409
    status, action = http("POST", f"{api}/cases/{case_id}/actions", mod1.access_token,
                          {"kind": "remove", "category": "violence",
                           "reason": "A threat against the neighbours"})
    assert status == 201
    resolved = mod1.admin_report_resolve(report.id)
    assert resolved.action_taken is True
    assert mod1.admin_reports() == []

    # Nobody else can see the post any more.
    with pytest.raises(MastodonNotFoundError):
        bob.status(post.id)
    assert http("GET", f"{live_server.url}/api/v1/statuses/{post.id}")[0] == 404

    # The author is told why: a notification and the statement of reasons.
    warnings = [n for n in alice.notifications() if n.type == "moderation_warning"]
    assert warnings and warnings[0].moderation_warning.action == "delete_statuses"
    assert warnings[0].moderation_warning.status_ids == [str(post.id)]
    status, statements = http("GET", f"{api}/statements", alice.access_token)
    statement = statements[0]
    assert statement["measure"] == "remove"
    assert statement["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert statement["source_type"] == "SOURCE_ARTICLE_16"
    assert "threat against the neighbours" in statement["facts"]

    # The notifier sees the outcome.
    status, tracked = http("GET", f"{api}/notices/{receipt}", desk_token)
    assert tracked["outcome"] == "actioned" and tracked["status"] == "decided"

    # The author appeals; the moderator who decided may not decide the appeal.
    status, appeal = http("POST", f"{api}/statements/{statement['id']}/appeal",
                          alice.access_token, {"text": "It was a quote from a film."})
    assert status == 201
    status, refused = http("POST", f"{api}/appeals/{appeal['id']}/decide", mod1.access_token,
                           {"reverse": True, "text": "fine"})
    assert status == 403 and "different moderator" in refused["error"]
    status, decided = http("POST", f"{api}/appeals/{appeal['id']}/decide", mod2.access_token,
                           {"reverse": True, "text": "A film quote in context; restored."})
    assert status == 200 and decided["state"] == "reversed"

    # The post is back for everyone, and the reversal is on the statement.
    assert bob.status(post.id).id == post.id
    status, after = http("GET", f"{api}/statements/{statement['id']}", alice.access_token)
    assert after["reversed_at"] and after["appeal"]["state"] == "reversed"

    # Members never reach the moderators' endpoints; notifier tokens only the notifier API.
    assert http("GET", f"{api}/cases", bob.access_token)[0] == 403
    assert http("GET", f"{live_server.url}/api/v1/admin/reports", bob.access_token)[0] == 403
    assert http("GET", f"{api}/cases", desk_token)[0] == 401
    assert http("GET", f"{api}/notices", mod1.access_token)[0] == 401

    # Every step is in the audit log, and the chain is intact.
    verified = io.StringIO()
    call_command("safety", "verify-audit", stdout=verified)
    assert "chain intact" in verified.getvalue()
