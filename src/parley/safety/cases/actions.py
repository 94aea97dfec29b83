"""Moderation actions: ``take_action`` is the one door. Each restriction gets a statement
of reasons, every action is audited, and notifiers and reporters learn the outcome."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from parley.accounts import services as account_services
from parley.accounts.models import User
from parley.core.errors import Conflict, NotAllowed, ValidationFailed
from parley.notifications.services import notify, notify_outcome, withdraw_for_post
from parley.posts.models import Post, PostState
from parley.posts.services import transition_post
from parley.safety import policy
from parley.safety.audit import record_event
from parley.safety.cases.models import (
    CASE_TRANSITIONS,
    OPEN_STATES,
    RESTRICTIONS,
    ActionKind,
    Case,
    CaseAction,
    CaseState,
    Notice,
    NoticeSource,
    StatementOfReasons,
    Strike,
)

log = logging.getLogger(__name__)

SOURCE_TYPE = {
    NoticeSource.MEMBER: "SOURCE_ARTICLE_16",
    NoticeSource.PUBLIC: "SOURCE_ARTICLE_16",
    NoticeSource.HOSTING_PROVIDER: "SOURCE_ARTICLE_16",
    NoticeSource.TRUSTED_FLAGGER: "SOURCE_TRUSTED_FLAGGER",
    NoticeSource.AUTHORITY: "SOURCE_ARTICLE_16",
    NoticeSource.SCREENING: "SOURCE_VOLUNTARY",
}
# kind: (decision_visibility, decision_account, the measure in words)
MEASURE = {
    ActionKind.REMOVE: ("DECISION_VISIBILITY_CONTENT_REMOVED", "", "Your post was removed."),
    ActionKind.HOLD: ("DECISION_VISIBILITY_CONTENT_DISABLED", "",
                      "Your post is held for review and not visible to others."),
    ActionKind.CONTENT_WARNING: ("DECISION_VISIBILITY_CONTENT_LABELLED", "",
                                 "A content warning was added to your content."),
    ActionKind.LIMIT_REACH: ("DECISION_VISIBILITY_CONTENT_DEMOTED", "",
                             "Your content will not appear in public timelines."),
    ActionKind.SUSPEND: ("", "DECISION_ACCOUNT_SUSPENDED", "Your account was suspended."),
    ActionKind.STRIKE: ("", "", "A strike was recorded against your account."),
}
# Sanctions that may be timed and then end by themselves.
TIMED = {ActionKind.SUSPEND, ActionKind.LIMIT_REACH}
POST_ONLY = {ActionKind.REMOVE, ActionKind.HOLD, ActionKind.RESTORE, ActionKind.RELEASE}
# Notifiers who keep sending manifestly unfounded notices (DSA Art. 23): first throttled
# to a few notices an hour, then suspended from notifying for a while.
UNFOUNDED_BEFORE_THROTTLE = 3
UNFOUNDED_BEFORE_SUSPENSION = 6
UNFOUNDED_SHARE = 0.5
THROTTLED_NOTICES_PER_HOUR = 5
NOTIFIER_SUSPENSION = timedelta(days=30)


def move_case(case: Case, new_state: str) -> None:
    """The one place a case changes state, along ``CASE_TRANSITIONS``."""
    if new_state != case.state and new_state not in CASE_TRANSITIONS[case.state]:
        raise Conflict(f"A {case.state} case cannot become {new_state}")
    case.state = new_state


def require_moderator(user: User | None) -> None:
    if user is None or not getattr(user, "is_moderator", False):
        raise NotAllowed("Only moderators may do this")


def take_action(
    case: Case,
    moderator: User | None,
    kind: str,
    *,
    category: str | None = None,
    reason: str = "",
    duration: timedelta | None = None,
    content_warning: str = "",
    automated: bool = False,
    on_account: bool = False,
) -> CaseAction:
    """Apply one action to a case's post or account. ``automated=True`` with no moderator
    means the policy acted by itself (e.g. repeat-offender suspension); ``on_account=True``
    applies a label or reach limit to the whole account of a case about one post."""
    if kind not in ActionKind.values:
        raise ValidationFailed(f"Unknown action {kind!r}; one of {', '.join(ActionKind.values)}")
    if not automated:
        require_moderator(moderator)
    category = category or case.category
    if category not in policy.POLICY:
        raise ValidationFailed(f"Unknown category {category!r}")
    if duration is not None and (kind not in TIMED or duration <= timedelta(0)):
        raise ValidationFailed("A duration applies only to suspend and limit_reach, and must "
                               "be positive")
    with transaction.atomic():
        case = (Case.objects.select_for_update(of=("self",)).select_related("post", "account")
                .get(pk=case.pk))
        _claim_for_action(case, moderator)
        on_account = on_account or case.post is None
        if on_account and kind in POST_ONLY:
            raise ValidationFailed("This case is about an account, not a post")
        ends_at = timezone.now() + duration if duration else None
        action = CaseAction.objects.create(
            case=case, kind=kind, moderator=moderator, category=category, reason=reason,
            automated=automated, ends_at=ends_at, content_warning=content_warning[:500],
            on_account=on_account,
        )
        _apply(action, case)
        record_event(
            f"action.{kind}", actor=moderator, actor_label="" if moderator else "policy",
            subject=case,
            data={"action_id": action.pk, "category": category, "reason": reason,
                  "post_id": case.post_id, "account_id": case.account_id,
                  "ends_at": ends_at, "automated": automated},
        )
        if kind in RESTRICTIONS:
            issue_statement(action, case)
        _decide_case(case, moderator, kind)
        if kind == ActionKind.STRIKE:
            _enforce_repeat_offender_policy(case)
    return action


def bulk_action(cases: list[Case], moderator: User, kind: str, *, reason: str = "",
                category: str | None = None) -> list[CaseAction]:
    """The same action on many cases (a cluster of near-duplicates, a flood)."""
    require_moderator(moderator)
    return [take_action(case, moderator, kind, reason=reason, category=category)
            for case in cases]


def _claim_for_action(case: Case, moderator: User | None) -> None:
    if case.state == CaseState.CLOSED:
        raise Conflict("This case is closed; reopen it first")
    if moderator is None:
        return
    if case.claimed_by_id not in (None, moderator.pk):
        raise Conflict("Another moderator is working on this case")
    if case.claimed_by_id is None and case.state in OPEN_STATES:
        case.claimed_by, case.claimed_at = moderator, timezone.now()
        move_case(case, CaseState.IN_REVIEW)
        case.save(update_fields=["claimed_by", "claimed_at", "state"])
        record_event("case.claimed", actor=moderator, subject=case, data={"auto": True})


def _apply(action: CaseAction, case: Case) -> None:
    post: Post | None = case.post
    kind = action.kind
    if kind == ActionKind.REMOVE:
        transition_post(post, PostState.REMOVED)
        withdraw_for_post(post)
        _remember_and_sweep(post, action, case)
    elif kind == ActionKind.HOLD:
        transition_post(post, PostState.HELD)
        withdraw_for_post(post)
    elif kind in (ActionKind.RESTORE, ActionKind.RELEASE):
        _republish(post)
        _mark_undone(action, [ActionKind.REMOVE, ActionKind.HOLD], post=post)
    elif kind == ActionKind.CONTENT_WARNING:
        _label(case, action)
    elif kind == ActionKind.LIMIT_REACH:
        _limit(action, True)
    elif kind == ActionKind.SUSPEND:
        account_services.suspend_account(case.account, until=action.ends_at)
    elif kind == ActionKind.UNSUSPEND:
        account_services.unsuspend_account(case.account)
        _mark_undone(action, [ActionKind.SUSPEND])
    elif kind == ActionKind.STRIKE:
        Strike.objects.create(account=case.account, action=action,
                              weight=policy.category_policy(action.category).strikes)


def _mark_undone(action: CaseAction, kinds: list[str], post: Post | None = None) -> None:
    """Earlier sanctions that this action lifts no longer count as in force."""
    earlier = CaseAction.objects.filter(
        kind__in=kinds, case__account_id=action.case.account_id, reversed_at__isnull=True,
        expired_at__isnull=True,
    ).exclude(pk=action.pk)
    if post is not None:
        earlier = earlier.filter(case__post=post)
    earlier.update(reversed_at=action.created_at, reversed_by=action.moderator)


def _republish(post: Post) -> None:
    post.refresh_from_db()
    if post.state in (PostState.REMOVED, PostState.HELD):
        transition_post(post, PostState.PUBLISHED)
        _forget_removed(post)


def _label(case: Case, action: CaseAction) -> None:
    if action.on_account:
        account_services.sensitize_account(case.account, True)
        return
    # A moderation label, not an author edit: no revision, no re-screening.
    text = action.content_warning or policy.category_policy(action.category).label
    Post.objects.filter(pk=case.post_id).update(sensitive=True, spoiler_text=text)


def _limit(action: CaseAction, limited: bool) -> None:
    case = action.case
    if action.on_account:
        account_services.silence_account(case.account, limited)
    else:
        Post.objects.filter(pk=case.post_id).update(limited=limited)


def _remember_and_sweep(post: Post, action: CaseAction, case: Case) -> None:
    """Index removed content for the near-duplicate detector; open cases for its copies."""
    from parley.safety.cases.selectors import near_duplicates
    from parley.safety.screening.services import index_removed_post

    index_removed_post(post, action.category)

    for copy in near_duplicates(post):
        from parley.safety.cases.services import open_case_for_copy

        open_case_for_copy(copy, post, action.category)


def _forget_removed(post: Post) -> None:
    from parley.safety.screening.services import forget_removed_post

    forget_removed_post(post)


# -- statements of reasons (DSA Art. 17) ---------------------------------------------------


def issue_statement(action: CaseAction, case: Case) -> StatementOfReasons:
    visibility, account_decision, measure = MEASURE[action.kind]
    rules = policy.category_policy(action.category)
    sources = list(case.notices.values_list("source", flat=True))
    human = [s for s in sources if s != NoticeSource.SCREENING]
    source_type = SOURCE_TYPE.get(human[0] if human else NoticeSource.SCREENING,
                                  "SOURCE_VOLUNTARY")
    detected = NoticeSource.SCREENING in sources
    if action.automated:
        decision = "AUTOMATED_DECISION_FULLY"
    elif detected:
        decision = "AUTOMATED_DECISION_PARTIALLY"
    else:
        decision = "AUTOMATED_DECISION_NOT_AUTOMATED"
    how_found = ("our automated screening flagged it" if detected and not human
                 else "it was reported to us" if human else "a moderator found it")
    statement = StatementOfReasons.objects.create(
        action=action,
        recipient=case.account,
        decision_visibility=visibility,
        decision_account=account_decision,
        category=rules.dsa_category,
        content_type="CONTENT_TYPE_TEXT" if case.post_id else "CONTENT_TYPE_OTHER",
        source_type=source_type,
        automated_detection=detected,
        automated_decision=decision,
        facts=(f"{measure} We looked at it because {how_found}; the decision was that it "
               f"falls under our rules on {rules.label.lower()} ({rules.examples})."
               + (f" Moderator's note: {action.reason}" if action.reason else "")),
        policy_ground=f"Community rules: {rules.label} — {rules.examples}.",
        legal_ground=("Removal order of a competent authority."
                      if case.notices.filter(removal_order=True).exists() else ""),
        scope=_scope(action, case),
        ends_at=action.ends_at,
        content_date=case.post.created_at if case.post_id else None,
        puid=uuid.uuid4().hex,
    )
    # The instance decided, not a person: as in Mastodon, the warning comes "from" the
    # member's own account, so the moderator's identity never reaches them.
    notify(recipient=case.account, actor=case.account, kind="moderation_warning",
           statement_id=statement.pk)
    record_event("statement.issued", actor=action.moderator, actor_label="" if
                 action.moderator else "policy", subject=statement,
                 data={"action_id": action.pk, "recipient_id": case.account_id,
                       "category": statement.category, "source_type": source_type})
    return statement


def _scope(action: CaseAction, case: Case) -> str:
    what = f"post {case.post_id}" if case.post_id else f"account @{case.account.username}"
    if action.on_account or action.kind in (ActionKind.SUSPEND, ActionKind.STRIKE):
        what = f"account @{case.account.username}"
    if action.ends_at:
        return f"Applies to {what} until {action.ends_at:%Y-%m-%d %H:%M %Z}."
    if action.kind == ActionKind.STRIKE:
        return f"Applies to {what}; counts towards suspension for repeated violations."
    return f"Applies to {what}, with no end date unless reversed on appeal."


# -- outcomes for notifiers and reporters -----------------------------------------------


def _decide_case(case: Case, moderator: User | None, kind: str) -> None:
    if case.state in OPEN_STATES:
        move_case(case, CaseState.DECIDED)
        case.decided_at = timezone.now()
        case.decided_by = moderator
        case.claimed_by = None
        case.claimed_at = None
        case.save()
    if kind in (ActionKind.UNSUSPEND, ActionKind.RESTORE):
        return
    # Releasing a held post means it broke no rule, as does dismissing a case.
    outcome = "rejected" if kind in (ActionKind.DISMISS, ActionKind.RELEASE) else "actioned"
    text = ("We reviewed the content and took action: " + kind.replace("_", " ") + "."
            if outcome == "actioned" else
            "We reviewed the content and found no violation of our rules or the law.")
    for notice in case.notices.filter(outcome="pending").select_related("notifier", "reporter"):
        decide_notice(notice, outcome, text)


def decide_notice(notice: Notice, outcome: str, text: str) -> None:
    """Record a notice's outcome and tell whoever sent it (DSA Art. 16(5))."""
    notice.outcome = outcome
    notice.outcome_text = text
    notice.decided_at = timezone.now()
    notice.save(update_fields=["outcome", "outcome_text", "decided_at"])
    if notice.notifier_id and outcome in ("actioned", "rejected"):
        _count_for_notifier(notice)
    if notice.reporter_id and notice.source == NoticeSource.MEMBER:
        notify_outcome(recipient=notice.reporter, kind="report_decided", subject_id=notice.pk,
                       outcome=outcome, url=f"/notice/{notice.receipt}")
    email = notice.email or (notice.reporter.email if notice.reporter_id else "")
    if email and notice.source != NoticeSource.SCREENING:
        transaction.on_commit(lambda: _mail_outcome(notice, email))
    record_event("notice.outcome", subject=notice,
                 data={"outcome": outcome, "source": notice.source, "case_id": notice.case_id})


def _mail_outcome(notice: Notice, email: str) -> None:
    try:
        send_mail(f"Your notice {notice.receipt}: {notice.outcome}",
                  f"We reviewed the content you reported ({notice.url or 'your report'}).\n\n"
                  f"Outcome: {notice.outcome_text}\n", None, [email])
    except Exception:  # mail is best effort; the outcome is also readable by receipt
        log.exception("could not mail the outcome of notice %s", notice.receipt)


def _count_for_notifier(notice: Notice) -> None:
    notifier = notice.notifier
    if notice.outcome == "rejected":
        notifier.unfounded_count += 1
    else:
        notifier.founded_count += 1
    total = notifier.unfounded_count + notifier.founded_count
    share = notifier.unfounded_count / total
    if (notifier.unfounded_count >= UNFOUNDED_BEFORE_SUSPENSION and share >= UNFOUNDED_SHARE
            and not notifier.is_suspended):
        notifier.suspended_until = timezone.now() + NOTIFIER_SUSPENSION
        record_event("notifier.suspended", actor_label="policy", subject=notifier,
                     data={"unfounded": notifier.unfounded_count, "total": total,
                           "until": notifier.suspended_until})
    notifier.save(update_fields=["unfounded_count", "founded_count", "suspended_until"])


def notifier_is_throttled(notifier) -> bool:
    total = notifier.unfounded_count + notifier.founded_count
    return (notifier.unfounded_count >= UNFOUNDED_BEFORE_THROTTLE
            and notifier.unfounded_count / max(total, 1) >= UNFOUNDED_SHARE)


# -- strikes (DSA Art. 23) ----------------------------------------------------------------


def active_strikes(account: User) -> int:
    return sum(Strike.objects.filter(account=account, active=True)
               .values_list("weight", flat=True))


def _enforce_repeat_offender_policy(case: Case) -> None:
    """After enough strikes a warning, then an automatic suspension."""
    account = case.account
    account.refresh_from_db()
    strikes = active_strikes(account)
    if strikes >= policy.STRIKES_BEFORE_SUSPENSION and not account.is_suspended:
        take_action(case, None, ActionKind.SUSPEND, category=case.category, automated=True,
                    reason=f"Repeated violations: {strikes} strikes, after a warning.")
    elif strikes >= policy.STRIKES_BEFORE_WARNING:
        record_event("account.warned", actor_label="policy", subject=account,
                     data={"strikes": strikes,
                           "suspension_at": policy.STRIKES_BEFORE_SUSPENSION})


# -- reversal and expiry -------------------------------------------------------------------


def reverse_action(action: CaseAction, moderator: User | None, *, event: str = "reversed"
                   ) -> None:
    """Undo one action: an appeal succeeded, a moderator corrected a mistake, or a timed
    sanction ran out (``event="expired"``)."""
    case = action.case
    kind = action.kind
    if kind in (ActionKind.REMOVE, ActionKind.HOLD) and case.post is not None:
        _republish(case.post)
    elif kind == ActionKind.CONTENT_WARNING:
        if action.on_account:
            account_services.sensitize_account(case.account, False)
        else:
            Post.objects.filter(pk=case.post_id).update(sensitive=False, spoiler_text="")
    elif kind == ActionKind.LIMIT_REACH:
        _limit(action, False)
    elif kind == ActionKind.SUSPEND:
        account_services.unsuspend_account(case.account)
    elif kind == ActionKind.STRIKE:
        action.strikes.update(active=False)
    now = timezone.now()
    if event == "expired":
        action.expired_at = now
    else:
        action.reversed_at, action.reversed_by = now, moderator
    action.save(update_fields=["expired_at", "reversed_at", "reversed_by"])
    record_event(f"action.{kind}.{event}", actor=moderator,
                 actor_label="" if moderator else "policy", subject=case,
                 data={"action_id": action.pk, "post_id": case.post_id,
                       "account_id": case.account_id})
