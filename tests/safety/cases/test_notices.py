"""Notices from outside: the public form (DSA Art. 16), notifiers with tokens, and
notifiers who keep sending unfounded notices (Art. 23)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from parley.core.errors import NotAllowed, RateLimited, ValidationFailed
from parley.safety.cases import actions, selectors, services
from parley.safety.cases.models import Notifier
from tests.safety.cases.conftest import post_url

pytestmark = pytest.mark.django_db


def test_public_notice_gets_a_receipt_by_mail(member, post_by,
                                              django_capture_on_commit_callbacks):
    post = post_by(member)
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.file_public_notice(
            url=post_url(post), explanation="This post doxxes my neighbour",
            category="non_consensual_behaviour", name="N. Eighbour",
            email="neighbour@example.net", good_faith=True)
    assert notice.case.post == post and notice.source == "public"
    assert selectors.notice_by_receipt(notice.receipt) == notice
    assert mail.outbox[-1].to == ["neighbour@example.net"]
    assert notice.receipt in mail.outbox[-1].body


@pytest.mark.parametrize("url, message", [
    ("https://elsewhere.example/@alice/1", "not this instance"),
    ("http://localhost/@alice/999999", "No post"),
    ("http://localhost/about", "must point at"),
    ("not a url", r"exact http\(s\) address"),
])
def test_public_notice_explains_a_wrong_url(member, url, message):
    with pytest.raises(ValidationFailed, match=message):
        services.file_public_notice(url=url, explanation="Something illegal here",
                                    category="violence", good_faith=True)


def test_public_notice_needs_good_faith_and_an_explanation(member, post_by):
    url = post_url(post_by(member))
    with pytest.raises(ValidationFailed, match="good faith"):
        services.file_public_notice(url=url, explanation="Illegal content here",
                                    category="violence", good_faith=False)
    with pytest.raises(ValidationFailed, match="explanation"):
        services.file_public_notice(url=url, explanation="bad", category="violence",
                                    good_faith=True)


def test_a_profile_url_opens_a_case_about_the_account(member):
    notice = services.file_public_notice(
        url=f"http://localhost/@{member.username}", explanation="Impersonates a politician",
        category="other", good_faith=True)
    assert notice.case.account == member and notice.case.post is None


def test_notifier_tokens_are_stored_hashed_and_can_be_revoked(notifier_of):
    notifier, token = notifier_of("trusted_flagger", "Flaggers eV")
    assert token.startswith("pnt_") and token not in notifier.token_hash
    assert services.authenticate_notifier(token) == notifier
    assert services.authenticate_notifier(token + "x") is None
    services.revoke_notifier("Flaggers eV")
    assert services.authenticate_notifier(token) is None


def test_only_authorities_send_removal_orders(member, post_by, notifier_of):
    desk, _ = notifier_of("hosting_provider")
    with pytest.raises(NotAllowed, match="authorities"):
        services.file_notifier_notice(desk, url=post_url(post_by(member)), category="violence",
                                      explanation="Please remove this now", removal_order=True)


def test_the_same_notice_twice_gives_the_same_receipt(member, post_by, notifier_of):
    desk, _ = notifier_of()
    url = post_url(post_by(member))
    first = services.file_notifier_notice(desk, url=url, category="violence",
                                          explanation="A threat against a person")
    again = services.file_notifier_notice(desk, url=url, category="violence",
                                          explanation="A threat against a person")
    assert first.receipt == again.receipt


def test_unfounded_notifiers_are_throttled_then_suspended(member, moderator, post_by,
                                                          notifier_of):
    desk, _ = notifier_of()

    def unfounded_notice():
        notice = services.file_notifier_notice(
            desk, url=post_url(post_by(member)), category="violence",
            explanation="Everything this person writes is violent")
        services.take_action(notice.case, moderator, "dismiss")
        desk.refresh_from_db()

    for _ in range(actions.UNFOUNDED_BEFORE_THROTTLE):
        unfounded_notice()
    assert services.notifier_is_throttled(desk) and not desk.is_suspended
    with pytest.raises(RateLimited):  # the hour's few throttled notices are used up
        for _ in range(actions.THROTTLED_NOTICES_PER_HOUR + 1):
            services.file_notifier_notice(
                desk, url=post_url(post_by(member)), category="violence",
                explanation="Yet another unfounded notice")

    from parley.safety.cases.models import Notice

    Notice.objects.filter(notifier=desk).update(created_at=timezone.now() - timedelta(hours=2))
    while not desk.is_suspended:
        unfounded_notice()
        Notice.objects.filter(notifier=desk).update(
            created_at=timezone.now() - timedelta(hours=2))
    assert desk.unfounded_count == actions.UNFOUNDED_BEFORE_SUSPENSION
    with pytest.raises(NotAllowed, match="suspended from sending notices"):
        services.file_notifier_notice(desk, url=post_url(post_by(member)),
                                      category="violence", explanation="One more try here")


def test_a_founded_notice_counts_for_the_notifier(member, moderator, post_by, notifier_of):
    desk, _ = notifier_of()
    notice = services.file_notifier_notice(desk, url=post_url(post_by(member)),
                                           category="violence",
                                           explanation="A threat against a person")
    services.take_action(notice.case, moderator, "remove")
    desk.refresh_from_db()
    notice.refresh_from_db()
    assert desk.founded_count == 1 and notice.outcome == "actioned"


def test_notifier_command_creates_lists_and_revokes():
    out, err = io.StringIO(), io.StringIO()
    call_command("notifier", "create", "Acme abuse desk", "--kind", "hosting_provider",
                 stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert services.authenticate_notifier(token).name == "Acme abuse desk"
    assert "shown only now" in err.getvalue()
    out = io.StringIO()
    call_command("notifier", "list", stdout=out)
    assert "Acme abuse desk" in out.getvalue() and "active" in out.getvalue()
    with pytest.raises(CommandError, match="exists already"):
        call_command("notifier", "create", "Acme abuse desk", "--kind", "authority",
                     stdout=io.StringIO(), stderr=io.StringIO())
    call_command("notifier", "revoke", "Acme abuse desk", stdout=io.StringIO())
    assert Notifier.objects.get().revoked_at is not None
    assert services.authenticate_notifier(token) is None
