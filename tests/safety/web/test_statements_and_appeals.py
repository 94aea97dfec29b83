"""Statements of reasons and appeals: the author appeals, another moderator decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from parley.accounts.models import Role
from parley.posts.models import Post
from parley.safety.cases.models import Appeal, StatementOfReasons
from parley.safety.web.views import AUTOMATED_DECISION_TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def removed(case, moderator, client_for) -> StatementOfReasons:
    client_for(moderator).post(f"/moderation/cases/{case.pk}/act",
                               {"kind": "remove", "reason": "Spam link"})
    return StatementOfReasons.objects.get(action__case=case)


def test_author_reads_the_statement_with_every_art_17_field(removed, member, client_for):
    author = client_for(member)
    listing = author.get("/statements").content.decode()
    assert f"/statements/{removed.pk}" in listing
    assert 'href="/statements"' in listing  # the nav link appears once there are statements
    page = author.get(f"/statements/{removed.pk}").content.decode()
    for text in ["Measure", "Remove post", "Scope and duration", "Facts and circumstances",
                 "Spam link", "What started it", "A notice someone sent us",
                 "Automated detection", "Automated decision",
                 AUTOMATED_DECISION_TEXT[removed.automated_decision],
                 "Ground in our rules", "Appeal to us", "out-of-court dispute settlement",
                 "A court", "Send appeal"]:
        assert text in page, text


def test_statements_of_others_are_404_and_anonymous_must_log_in(removed, other_member,
                                                                client_for):
    assert client_for(other_member).get(f"/statements/{removed.pk}").status_code == 404
    assert client_for(other_member).post(f"/statements/{removed.pk}/appeal",
                                         {"text": "not mine"}).status_code == 404
    assert "/statements/" not in client_for(other_member).get("/statements").content.decode()
    assert Client().get(f"/statements/{removed.pk}").status_code == 302
    assert Client().get("/statements").status_code == 302


def test_appeal_then_original_moderator_cannot_decide_but_another_reverses(
        removed, member, moderator, make_member, client_for, case):
    author = client_for(member)
    response = author.post(f"/statements/{removed.pk}/appeal", {"text": "It was a joke"})
    assert response.status_code == 302
    page = author.get(f"/statements/{removed.pk}").content.decode()
    assert "pending" in page and "Send appeal" not in page  # one pending appeal at a time
    appeal = Appeal.objects.get(statement=removed)

    original = client_for(moderator)
    listing = original.get("/moderation/appeals").content.decode()
    assert "It was a joke" in listing and "You took the original decision" in listing
    refused = original.post(f"/moderation/appeals/{appeal.pk}",
                            {"decision": "reverse", "text": "mine"})
    assert refused.status_code == 403
    assert Post.objects.get(pk=case.post_id).state == "removed"

    other = client_for(make_member("mod2", role=Role.MODERATOR))
    assert "Reverse the decision" in other.get("/moderation/appeals").content.decode()
    decided = other.post(f"/moderation/appeals/{appeal.pk}",
                         {"decision": "reverse", "text": "Satire, not spam."})
    assert decided.status_code == 302
    assert "No pending appeals" in other.get("/moderation/appeals").content.decode()
    assert Post.objects.get(pk=case.post_id).state == "published"
    page = author.get(f"/statements/{removed.pk}").content.decode()
    assert "reversed" in page and "Satire, not spam." in page


def test_upheld_appeal_keeps_the_post_removed(removed, member, make_member, client_for, case):
    client_for(member).post(f"/statements/{removed.pk}/appeal", {"text": "Please"})
    appeal = Appeal.objects.get(statement=removed)
    other = client_for(make_member("mod2", role=Role.MODERATOR))
    other.post(f"/moderation/appeals/{appeal.pk}", {"decision": "uphold", "text": "Spam."})
    assert Appeal.objects.get(pk=appeal.pk).state == "upheld"
    assert Post.objects.get(pk=case.post_id).state == "removed"


def test_appeal_needs_text_and_closes_after_six_months(removed, member, client_for):
    author = client_for(member)
    assert author.post(f"/statements/{removed.pk}/appeal", {"text": ""}).status_code == 422
    StatementOfReasons.objects.filter(pk=removed.pk).update(
        created_at=removed.created_at - timedelta(days=200))
    page = author.get(f"/statements/{removed.pk}").content.decode()
    assert "Send appeal" not in page
    late = author.post(f"/statements/{removed.pk}/appeal", {"text": "late"})
    assert late.status_code in (403, 422)
    assert not Appeal.objects.filter(statement=removed).exists()
