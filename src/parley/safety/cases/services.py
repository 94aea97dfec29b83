"""State changes of cases and notices. Every change is audited."""

from __future__ import annotations

import math
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from parley.accounts.models import User
from parley.core.errors import ValidationFailed
from parley.safety.audit import record_event
from parley.safety.cases.models import OPEN_STATES, Case, Notice, NoticeSource
from parley.safety.policy import SEVERITY_WEIGHT, category_policy

# Mastodon's report categories, mapped to policy categories.
REPORT_CATEGORY = {"spam": "scams_and_fraud", "legal": "other", "violation": "other",
                   "other": "other"}
SOURCE_TRUST = {
    NoticeSource.AUTHORITY: 3.0,
    NoticeSource.TRUSTED_FLAGGER: 2.0,
    NoticeSource.HOSTING_PROVIDER: 1.5,
    NoticeSource.SCREENING: 1.2,
    NoticeSource.MEMBER: 1.0,
    NoticeSource.PUBLIC: 0.8,
}


def _reach(case: Case) -> float:
    from parley.accounts.models import Follow

    followers = Follow.objects.filter(followee_id=case.account_id).count()
    engagement = 0
    if case.post is not None:
        engagement = case.post.reblogs_count + case.post.favourites_count
    return 1.0 + math.log1p(followers + 2 * engagement)


def recompute_priority(case: Case) -> float:
    """priority = severity x reach x confidence x strongest notifier trust."""
    policy = category_policy(case.category)
    sources = set(case.notices.values_list("source", flat=True))
    trust = max((SOURCE_TRUST.get(s, 1.0) for s in sources), default=1.0)
    confidence = max(case.confidence, 0.5 if sources - {NoticeSource.SCREENING} else 0.0)
    case.priority = SEVERITY_WEIGHT[policy.severity] * _reach(case) * max(confidence, 0.1) * trust
    return case.priority


def _open_or_join_case(*, account: User, post, category: str, deadline: datetime | None = None
                       ) -> tuple[Case, bool]:
    """The open case about this post (or account), or a new one."""
    existing = Case.objects.select_for_update().filter(
        account=account, post=post, state__in=OPEN_STATES
    ).first()
    policy = category_policy(category)
    due = deadline or timezone.now() + policy.deadline
    if existing is not None:
        if SEVERITY_WEIGHT[policy.severity] > SEVERITY_WEIGHT[
                category_policy(existing.category).severity]:
            existing.category = category
        existing.deadline = min(existing.deadline, due)
        return existing, False
    case = Case.objects.create(account=account, post=post, category=category, deadline=due)
    record_event("case.opened", actor_label="system", subject=case,
                 data={"category": category, "post_id": getattr(post, "pk", None),
                       "account_id": account.pk, "deadline": due.isoformat()})
    return case, True


def _new_receipt() -> str:
    return secrets.token_hex(8)


def file_member_report(
    reporter: User,
    account: User,
    posts: list,
    category: str,
    comment: str = "",
    rule_ids: list[int] | tuple = (),
) -> Notice:
    """A member reports an account and optionally some of its posts (Mastodon's reports)."""
    if category not in REPORT_CATEGORY:
        raise ValidationFailed(f"Unknown report category {category!r}")
    if reporter.pk == account.pk:
        raise ValidationFailed("You cannot report yourself")
    policy_category = REPORT_CATEGORY[category]
    post = posts[0] if len(posts) == 1 else None
    with transaction.atomic():
        duplicate = Notice.objects.filter(
            reporter=reporter, case__account=account, case__post=post,
            case__state__in=OPEN_STATES,
        ).first()
        if duplicate is not None:
            return duplicate
        case, _ = _open_or_join_case(account=account, post=post, category=policy_category)
        notice = Notice.objects.create(
            case=case,
            source=NoticeSource.MEMBER,
            reporter=reporter,
            category=policy_category,
            reported_category=category,
            comment=comment[:1000],
            rule_ids=list(rule_ids),
            post_ids=[p.pk for p in posts],
            receipt=_new_receipt(),
            outcome="pending",
        )
        recompute_priority(case)
        case.save()
        record_event("notice.received", actor=reporter, subject=notice,
                     data={"case_id": case.pk, "source": "member", "category": category,
                           "post_ids": notice.post_ids})
    return notice


def open_case_for_screening(post, verdict) -> Case:
    """Screening held a post or flagged it: open (or join) a case with the evidence."""
    category = verdict.category or "other"
    case, _ = _open_or_join_case(account=post.author, post=post, category=category)
    case.screening = [*case.screening, {
        "tier": verdict.tier,
        "outcome": verdict.outcome,
        "category": verdict.category,
        "score": round(verdict.score, 4),
        "reason": verdict.reason,
        "failed_detectors": verdict.failed_detectors,
        "scores": {r.detector: r.scores for r in verdict.results},
        "evidence": {r.detector: r.evidence for r in verdict.results},
    }]
    case.confidence = max(case.confidence, verdict.score)
    case.save()
    Notice.objects.create(
        case=case, source=NoticeSource.SCREENING, category=category,
        comment=verdict.reason, post_ids=[post.pk], receipt=_new_receipt(), outcome="pending",
    )
    recompute_priority(case)
    case.save(update_fields=["priority"])
    return case
