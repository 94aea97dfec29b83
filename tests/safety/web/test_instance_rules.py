"""Instance rules: the operator adds them (`parley rules`, or the admin page), the API lists
them as Mastodon's Rule entities, and reports cite them. Every change is audited."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parley.safety.cases.models import InstanceRule, Notice
from parley.safety.models import AuditEntry

pytestmark = pytest.mark.django_db


def rules_cli(*args: str) -> str:
    out = io.StringIO()
    call_command("rules", *args, stdout=out)
    return out.getvalue()


def test_the_operator_manages_rules_from_the_shell(client):
    assert "No rules yet" in rules_cli("list")
    assert "Added rule" in rules_cli("add", "No threats of violence", "--hint",
                                     "Not even as a joke.")
    rules_cli("add", "No spam")
    listing = rules_cli("list")
    assert "No threats of violence" in listing and "Not even as a joke." in listing
    first, second = InstanceRule.objects.order_by("position")
    assert client.get("/api/v1/instance/rules").json() == [
        {"id": str(first.pk), "text": "No threats of violence", "hint": "Not even as a joke."},
        {"id": str(second.pk), "text": "No spam", "hint": ""},
    ]
    rules_cli("remove", str(second.pk))
    assert [r["text"] for r in client.get("/api/v1/instance/rules").json()] == [
        "No threats of violence"]
    assert list(AuditEntry.objects.filter(event__startswith="rule.").order_by("id")
                .values_list("event", "actor_label")) == [
        ("rule.added", "cli"), ("rule.added", "cli"), ("rule.removed", "cli")]
    with pytest.raises(CommandError, match="No rule 9999"):
        rules_cli("remove", "9999")
    with pytest.raises(CommandError, match="needs a text"):
        rules_cli("add", "   ")


def test_a_report_cites_real_rules_and_unknown_ones_are_refused(member, other_member, api_for,
                                                                publish):
    rules_cli("add", "No threats of violence")
    rule = InstanceRule.objects.get()
    post = publish(member, "A post someone dislikes")
    reporter = api_for(other_member, "read write")
    body = {"account_id": str(member.pk), "status_ids": [str(post.pk)],
            "category": "violation", "comment": "a threat"}
    refused = reporter.post("/api/v1/reports", {**body, "rule_ids": ["4242"]}, format="json")
    assert refused.status_code == 422 and "Unknown rule_ids: 4242" in refused.json()["error"]
    assert reporter.post("/api/v1/reports", {**body, "rule_ids": ["x"]},
                         format="json").status_code == 422
    assert not Notice.objects.exists()
    filed = reporter.post("/api/v1/reports", {**body, "rule_ids": [str(rule.pk)]},
                          format="json")
    assert filed.status_code == 200 and filed.json()["rule_ids"] == [str(rule.pk)]
    assert Notice.objects.get().rule_ids == [rule.pk]


def test_admins_manage_rules_on_the_console(admin_user, moderator, member, client_for):
    admin = client_for(admin_user)
    assert admin.get("/moderation/rules").status_code == 200
    added = admin.post("/moderation/rules", {"text": "Be kind", "hint": "Mostly."})
    assert added.status_code == 302
    rule = InstanceRule.objects.get()
    page = admin.get("/moderation/rules").content.decode()
    assert "Be kind" in page and "Mostly." in page
    assert admin.post(f"/moderation/rules/{rule.pk}",
                      {"text": "Be kind to each other", "hint": ""}).status_code == 302
    rule.refresh_from_db()
    assert (rule.text, rule.hint) == ("Be kind to each other", "")
    assert admin.post("/moderation/rules", {"text": "x" * 301}).status_code == 422
    assert admin.post(f"/moderation/rules/{rule.pk}/remove").status_code == 302
    assert not InstanceRule.objects.exists()
    changed = AuditEntry.objects.get(event="rule.changed")
    assert changed.actor_id == admin_user.pk and changed.data["before"]["text"] == "Be kind"
    assert AuditEntry.objects.filter(event__startswith="rule.").count() == 3


def test_only_admins_reach_the_rules_page(moderator, member, client_for, client):
    for user in (moderator, member):
        visitor = client_for(user)
        assert visitor.get("/moderation/rules").status_code == 403
        assert visitor.post("/moderation/rules", {"text": "Mine"}).status_code == 403
    assert client.get("/moderation/rules").status_code == 302
    assert not InstanceRule.objects.exists()
    assert "/moderation/rules" not in client_for(moderator).get("/moderation/").content.decode()
