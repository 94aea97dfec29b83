"""The queue: priority, deadlines and escalation, report floods merged into one case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parley.safety.cases import jobs, selectors, services
from parley.safety.cases.models import Case, CaseState
from parley.safety.models import AuditEntry
from tests.safety.cases.conftest import post_url

pytestmark = pytest.mark.django_db


def test_queue_orders_by_severity_reach_and_notifier_trust(
        make_member, post_by, notifier_of, reported):
    spam_author, threat_author = make_member(), make_member()
    spam_case = services.file_member_report(
        make_member(), spam_author, [post_by(spam_author, "cheap pills")], "spam").case
    threat_post = post_by(threat_author, "Meet at the square with weapons")
    authority, _ = notifier_of("authority")
    threat_case = services.file_notifier_notice(
        authority, url=post_url(threat_post), category="violence",
        explanation="Incitement to kill a group of people").case
    member_threat = reported(make_member())
    member_threat.category = "violence"
    member_threat.save()
    services.recompute_priority(member_threat)
    member_threat.save()

    queue = list(selectors.case_queue())
    assert queue.index(threat_case) < queue.index(member_threat) < queue.index(spam_case)


def test_reach_raises_priority(make_member, reported):
    quiet, popular = make_member(), make_member()
    from parley.accounts import services as account_services

    for _ in range(20):
        account_services.follow(make_member(), popular)
    quiet_case, popular_case = reported(quiet), reported(popular)
    assert popular_case.priority > quiet_case.priority
    assert list(selectors.case_queue())[0] == popular_case


def test_overdue_cases_are_escalated_once_and_come_first(make_member, reported):
    early, late = reported(make_member()), reported(make_member())
    Case.objects.filter(pk=late.pk).update(priority=0.01)
    now = timezone.now()
    assert selectors.time_left(early) > timedelta(0)

    assert jobs.escalate_overdue_cases(now=now + timedelta(hours=1)) == 0
    later = now + timedelta(days=4)  # past the 72 h deadline of "other"
    assert jobs.escalate_overdue_cases(now=later) == 2
    assert jobs.escalate_overdue_cases(now=later) == 0  # idempotent

    late.refresh_from_db()
    assert late.escalated and late.escalated_at == later
    assert AuditEntry.objects.filter(event="case.escalated").count() == 2
    Case.objects.filter(pk=early.pk).update(escalated=False)
    assert list(selectors.case_queue())[0] == late


def test_removal_order_deadline_is_one_hour(make_member, post_by, notifier_of):
    author = make_member()
    post = post_by(author, "Details of the meeting at noon")
    authority, _ = notifier_of("authority")
    before = timezone.now()
    notice = services.file_notifier_notice(
        authority, url=post_url(post), category="risk_for_public_security",
        explanation="Terrorist content: removal order 2026/17", removal_order=True)
    assert notice.deadline <= before + timedelta(hours=1, seconds=5)
    assert notice.case.deadline == notice.deadline
    assert timedelta(minutes=55) < selectors.time_left(notice.case) <= timedelta(hours=1)


def test_a_report_flood_is_one_case_with_one_notice_per_reporter(make_member, post_by):
    author = make_member()
    post = post_by(author, "Something many people dislike")
    reporters = [make_member() for _ in range(10)]
    notices = [services.file_member_report(r, author, [post], "violation") for r in reporters]
    again = services.file_member_report(reporters[0], author, [post], "violation")

    assert again == notices[0]
    assert Case.objects.filter(post=post).count() == 1
    case = notices[0].case
    assert case.notices.filter(source="member").count() == 10
    case.refresh_from_db()
    single = services.file_member_report(
        make_member(), make_member(), [], "violation").case
    assert case.priority > single.priority  # ten reporters outweigh one


def test_claims_keep_two_moderators_apart(make_member, moderator, reported):
    case = reported(make_member())
    other = make_member(role="moderator")
    services.claim_case(case, moderator)
    assert case.state == CaseState.IN_REVIEW
    with pytest.raises(services.Conflict):
        services.claim_case(case, other)
    with pytest.raises(services.Conflict):
        services.take_action(case, other, "remove")
    services.unclaim_case(case, moderator)
    services.claim_case(case, other)
    assert case.claimed_by == other


def test_members_cannot_claim_or_act(member, make_member, reported):
    case = reported(make_member())
    with pytest.raises(services.NotAllowed):
        services.claim_case(case, member)
    with pytest.raises(services.NotAllowed):
        services.take_action(case, member, "remove")


def test_several_reporters_raise_priority_steeply(make_member, post_by):
    once_author, thrice_author = make_member(), make_member()
    once = services.file_member_report(make_member(), once_author,
                                       [post_by(once_author, "see you at the square")],
                                       "violation").case
    post = post_by(thrice_author, "see you at the square")
    for _ in range(3):
        thrice = services.file_member_report(make_member(), thrice_author, [post],
                                             "violation").case
    thrice.refresh_from_db()
    once.refresh_from_db()
    assert thrice.priority >= 9 * once.priority  # three people: (3 / 1) squared
    assert list(selectors.case_queue())[:2] == [thrice, once]


def test_one_member_reporting_again_does_not_raise_priority(make_member, post_by):
    author, reporter = make_member(), make_member()
    post = post_by(author, "see you at the square")
    case = services.file_member_report(reporter, author, [post], "violation").case
    case.refresh_from_db()
    before = case.priority
    services.file_member_report(reporter, author, [post], "violation")
    case.refresh_from_db()
    assert case.priority == before


def test_a_brigade_raises_priority_only_so_far(make_member, post_by):
    author = make_member()
    post = post_by(author, "my opinion on the match")
    priorities = []
    for _ in range(services.MAX_REPORTERS + 2):
        case = services.file_member_report(make_member(), author, [post], "violation").case
        case.refresh_from_db()
        priorities.append(case.priority)
    assert priorities[services.MAX_REPORTERS - 1] > priorities[0] * 50
    assert priorities[-1] == pytest.approx(priorities[services.MAX_REPORTERS - 1], rel=0.1)


def _track_record(reporter, make_member, post_by, moderator, kind: str, times: int) -> None:
    """``reporter`` reports ``times`` posts; a moderator decides each report with ``kind``."""
    for n in range(times):
        author = make_member()
        post = post_by(author, f"post number {n} about the square")
        case = services.file_member_report(reporter, author, [post], "violation").case
        services.take_action(case, moderator, kind)


def _case_reported_by(reporters, author, post_by):
    post = post_by(author, "see you all at the square tonight")
    for reporter in reporters:
        case = services.file_member_report(reporter, author, [post], "violation").case
    case.refresh_from_db()
    return case


def test_reporters_often_upheld_weigh_more_and_serial_false_reporters_sink(
        make_member, post_by, moderator):
    reliable, careless, new = make_member(), make_member(), make_member()
    _track_record(reliable, make_member, post_by, moderator, "remove", 3)
    _track_record(careless, make_member, post_by, moderator, "dismiss", 3)
    author = make_member()  # one author: every case below has the same reach

    by_reliable = _case_reported_by([reliable], author, post_by)
    by_careless = _case_reported_by([careless], author, post_by)
    by_new = _case_reported_by([new], author, post_by)

    # (upheld + 1) / (decided + 2), relative to a new reporter's 0.5: 1.6 and 0.4, squared.
    assert by_reliable.priority == pytest.approx(by_new.priority * 1.6 ** 2)
    assert by_careless.priority == pytest.approx(by_new.priority * 0.4 ** 2)
    queue = list(selectors.case_queue())
    assert queue.index(by_reliable) < queue.index(by_new) < queue.index(by_careless)


def test_track_record_adds_up_with_the_number_of_reporters(make_member, post_by, moderator):
    reliable, first, second = make_member(), make_member(), make_member()
    _track_record(reliable, make_member, post_by, moderator, "remove", 3)
    author = make_member()
    one_new = _case_reported_by([first], author, post_by)
    two_new = _case_reported_by([first, second], author, post_by)
    new_and_reliable = _case_reported_by([second, reliable], author, post_by)
    # Confidence rises a little with a second report, so compare like with like.
    assert two_new.priority > one_new.priority * 4
    assert new_and_reliable.priority == pytest.approx(two_new.priority * (2.6 / 2) ** 2)
