"""Actions through the one door: statements of reasons, strikes, timed sanctions, appeals,
preservation and purge, referrals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from parley.accounts.models import User
from parley.accounts.selectors import active_accounts
from parley.notifications.selectors import notifications_for
from parley.posts import selectors as post_selectors
from parley.posts.models import Post, PostState
from parley.safety import policy
from parley.safety.cases import jobs, selectors, services
from parley.safety.cases.models import Appeal, CaseAction, CaseState, StatementOfReasons
from parley.safety.models import AuditEntry

pytestmark = pytest.mark.django_db


def events(prefix: str) -> list[str]:
    return list(AuditEntry.objects.filter(event__startswith=prefix)
                .order_by("id").values_list("event", flat=True))


def test_removal_hides_the_post_and_explains_it_to_the_author(
        member, moderator, reported, other_member, django_capture_on_commit_callbacks):
    case = reported(member)
    post = case.post
    with django_capture_on_commit_callbacks(execute=True):
        services.take_action(case, moderator, "remove", category="illegal_or_harmful_speech",
                             reason="Dehumanising a group")

    assert not post_selectors.visible_posts(other_member).filter(pk=post.pk).exists()
    assert not post_selectors.visible_posts(member).filter(pk=post.pk).exists()
    statement = selectors.statements_for(member).get()
    assert statement.decision_visibility == "DECISION_VISIBILITY_CONTENT_REMOVED"
    assert statement.category == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert statement.source_type == "SOURCE_ARTICLE_16"
    assert statement.automated_decision in ("AUTOMATED_DECISION_NOT_AUTOMATED",
                                            "AUTOMATED_DECISION_PARTIALLY")
    assert "Dehumanising a group" in statement.facts
    warning = notifications_for(member).get(kind="moderation_warning")
    assert warning.statement_id == statement.pk
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and case.decided_by == moderator
    notice = case.notices.get(source="member")
    assert notice.outcome == "actioned"
    assert any(notice.reporter.email in m.to for m in mail.outbox)
    assert events("action.") == ["action.remove"]


def test_several_actions_on_one_case_each_reach_the_author(member, moderator, reported):
    case = reported(member)
    services.take_action(case, moderator, "content_warning", content_warning="Insults")
    services.take_action(case, moderator, "limit_reach")
    post = Post.objects.get(pk=case.post_id)
    assert post.sensitive and post.spoiler_text == "Insults" and post.limited
    assert notifications_for(member).filter(kind="moderation_warning").count() == 2


def test_dismiss_tells_the_reporter_and_restricts_nobody(member, moderator, reported):
    case = reported(member)
    services.take_action(case, moderator, "dismiss")
    assert case.notices.get(source="member").outcome == "rejected"
    assert not StatementOfReasons.objects.exists()
    assert post_selectors.visible_posts(None).filter(pk=case.post_id).exists()


def test_strikes_warn_then_suspend_repeat_offenders(member, moderator, reported):
    assert policy.STRIKES_BEFORE_WARNING < policy.STRIKES_BEFORE_SUSPENSION
    for _ in range(policy.STRIKES_BEFORE_SUSPENSION):
        member.refresh_from_db()
        assert not member.is_suspended
        services.take_action(reported(member), moderator, "strike", category="other")
    member.refresh_from_db()
    assert member.is_suspended and member.suspended_until is None
    suspension = CaseAction.objects.get(kind="suspend")
    assert suspension.automated and suspension.moderator is None
    assert suspension.statement.automated_decision == "AUTOMATED_DECISION_FULLY"
    assert "account.warned" in events("account.")


def test_timed_suspension_ends_by_itself(member, moderator, reported):
    case = reported(member)
    services.take_action(case, moderator, "suspend", duration=timedelta(days=7))
    member.refresh_from_db()
    assert member.is_suspended
    assert not active_accounts().filter(pk=member.pk).exists()

    assert jobs.expire_timed_sanctions(now=timezone.now() + timedelta(days=6)) == 0
    assert jobs.expire_timed_sanctions(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    assert jobs.expire_timed_sanctions(now=timezone.now() + timedelta(days=8)) == 0
    member.refresh_from_db()
    assert not member.is_suspended and member.suspended_at is None
    assert "action.suspend.expired" in events("action.")


def test_expired_suspension_already_reads_as_not_suspended(member, moderator, reported,
                                                           other_member):
    case = reported(member)
    services.take_action(case, moderator, "suspend", duration=timedelta(hours=1))
    User.objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() - timedelta(minutes=1))
    member.refresh_from_db()
    assert not member.is_suspended
    assert active_accounts().filter(pk=member.pk).exists()
    other = Post.objects.create(author=member, text="still here", distributed_at=timezone.now())
    assert post_selectors.visible_posts(other_member).filter(pk=other.pk).exists()


def test_a_later_permanent_suspension_outlives_an_earlier_timed_one(member, moderator,
                                                                     reported):
    services.take_action(reported(member), moderator, "suspend", duration=timedelta(days=1))
    services.take_action(reported(member), moderator, "suspend")
    jobs.expire_timed_sanctions(now=timezone.now() + timedelta(days=2))
    member.refresh_from_db()
    assert member.is_suspended


def test_appeal_is_decided_by_another_moderator_and_reversal_restores(
        member, moderator, make_member, reported, other_member):
    case = reported(member)
    services.take_action(case, moderator, "remove")
    statement = selectors.statements_for(member).get()
    with pytest.raises(services.NotAllowed):
        services.file_appeal(statement, other_member, "not mine but unfair")
    appeal = services.file_appeal(statement, member, "It was a joke between friends")
    with pytest.raises(services.Conflict):
        services.file_appeal(statement, member, "again")
    case.refresh_from_db()
    assert case.state == CaseState.APPEALED
    assert list(selectors.pending_appeals()) == [appeal]

    with pytest.raises(services.NotAllowed):
        services.decide_appeal(appeal, moderator, reverse=True, text="I was wrong")
    second = make_member(role="moderator")
    services.decide_appeal(appeal, second, reverse=True, text="Context shows a joke")

    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.REVERSED and appeal.decided_by == second
    assert post_selectors.visible_posts(other_member).filter(pk=case.post_id).exists()
    action = statement.action
    action.refresh_from_db()
    assert action.reversed_at and action.reversed_by == second
    assert "action.remove.reversed" in events("action.")
    assert "appeal.decided" in events("appeal.")


def test_upheld_appeal_keeps_the_decision(member, moderator, make_member, reported):
    case = reported(member)
    services.take_action(case, moderator, "remove")
    appeal = services.file_appeal(selectors.statements_for(member).get(), member, "Unfair")
    services.decide_appeal(appeal, make_member(role="moderator"), reverse=False,
                           text="The post breaks the rules")
    assert Post.objects.get(pk=case.post_id).state == PostState.REMOVED
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED


def test_the_appeal_window_closes_after_six_months(member, moderator, reported):
    services.take_action(reported(member), moderator, "remove")
    statement = selectors.statements_for(member).get()
    StatementOfReasons.objects.filter(pk=statement.pk).update(
        created_at=timezone.now() - policy.APPEAL_WINDOW - timedelta(days=1))
    statement.refresh_from_db()
    with pytest.raises(services.NotAllowed):
        services.file_appeal(statement, member, "too late")


def test_a_rejected_notifier_can_appeal_and_the_case_is_reopened(
        member, moderator, make_member, post_by, notifier_of):
    from tests.safety.cases.conftest import post_url

    desk, _ = notifier_of()
    notice = services.file_notifier_notice(
        desk, url=post_url(post_by(member)), category="scams_and_fraud",
        explanation="This is a phishing page")
    services.take_action(notice.case, moderator, "dismiss")
    notice.refresh_from_db()
    appeal = services.file_notice_appeal(notice, "The link leads to a fake bank login")
    with pytest.raises(services.NotAllowed):
        services.decide_appeal(appeal, moderator, reverse=True, text="ok")
    services.decide_appeal(appeal, make_member(role="moderator"), reverse=True,
                           text="Indeed phishing")
    notice.case.refresh_from_db()
    assert notice.case.state == CaseState.OPEN
    assert notice.case in selectors.case_queue()


def test_removed_content_is_kept_then_purged_unless_on_legal_hold(
        member, moderator, reported):
    kept, purged = reported(member), reported(member)
    for case in (kept, purged):
        services.take_action(case, moderator, "remove")
    services.set_legal_hold(kept, moderator, True, reason="Police request 44/2026")
    window = timedelta(days=163)  # PARLEY_PRESERVE_DAYS is 183

    assert jobs.purge_expired_content(now=timezone.now() + window) == 0
    later = timezone.now() + timedelta(days=184)
    assert jobs.purge_expired_content(now=later) == 1
    assert jobs.purge_expired_content(now=later) == 0

    gone = Post.objects.get(pk=purged.post_id)
    assert gone.state == PostState.DELETED and gone.text == "" and gone.content_html == ""
    assert Post.objects.get(pk=kept.post_id).text != ""
    assert events("content.purged") == ["content.purged"]
    entry = AuditEntry.objects.get(event="content.purged")
    assert "Everyone" not in str(entry.data)  # the audit log keeps no purged content


def test_referral_packages_content_time_reason_and_author(member, moderator, reported):
    case = reported(member)
    referral = services.make_referral(case, moderator)
    package = services.referral_package(referral)
    assert package["content"]["text"] == case.post.text
    assert package["content"]["created_at"].endswith("+00:00")
    assert package["author"]["email"] == member.email
    assert "life or safety" in package["reason"]
    assert events("case.referred") == ["case.referred"]


def test_case_detail_shows_everything_needed_to_decide(member, moderator, reported, post_by):
    parent = post_by(member, "The start of a thread")
    case = reported(member)
    Post.objects.filter(pk=case.post_id).update(in_reply_to=parent)
    services.take_action(reported(member), moderator, "strike")
    detail = selectors.case_detail(case.pk)
    assert [p.pk for p in detail.thread] == [parent.pk, case.post_id]
    assert len(detail.prior_strikes) == 1
    assert case.post_id in [p.pk for p in detail.author_recent_posts]
    assert [n.source for n in detail.notices if n.source == "member"] == ["member"]


def test_a_short_suspension_does_not_end_a_permanent_one(member, moderator, reported):
    services.take_action(reported(member), moderator, "suspend")
    services.take_action(reported(member), moderator, "suspend", duration=timedelta(days=1))
    jobs.expire_timed_sanctions(now=timezone.now() + timedelta(days=2))
    member.refresh_from_db()
    assert member.is_suspended


def test_unsuspending_lifts_earlier_suspensions(member, moderator, reported):
    services.take_action(reported(member), moderator, "suspend")
    services.take_action(reported(member), moderator, "unsuspend")
    services.take_action(reported(member), moderator, "suspend", duration=timedelta(days=1))
    assert jobs.expire_timed_sanctions(now=timezone.now() + timedelta(days=2)) == 1
    member.refresh_from_db()
    assert not member.is_suspended


def test_a_reversed_removal_takes_its_strikes_with_it(member, moderator, make_member,
                                                      reported):
    case = reported(member)
    services.take_action(case, moderator, "remove")
    services.take_action(case, moderator, "strike")
    removal = case.actions.get(kind="remove").statement
    appeal = services.file_appeal(removal, member, "Fine in context")
    services.decide_appeal(appeal, make_member(role="moderator"), reverse=True, text="Yes")
    from parley.safety.cases.actions import active_strikes

    assert active_strikes(member) == 0
