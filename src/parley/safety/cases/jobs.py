"""Periodic safety jobs: escalate overdue cases, end timed sanctions, purge preserved content,
re-score watched posts (a case opens once one spreads).

Each job is idempotent (a second run finds nothing left to do) and takes ``now`` so tests
can use explicit timestamps. ``run_periodic_jobs`` runs them all; the worker calls it."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from parley.posts.models import Post, PostRevision, PostState
from parley.posts.services import transition_post
from parley.safety.audit import record_event
from parley.safety.cases.actions import TIMED, reverse_action
from parley.safety.cases.models import OPEN_STATES, ActionKind, Case, CaseAction
from parley.safety.cases.services import rescore_watched_posts

log = logging.getLogger(__name__)
BATCH = 500


def escalate_overdue_cases(now: datetime | None = None) -> int:
    """Mark open cases past their deadline as escalated (shown first in the queue)."""
    now = now or timezone.now()
    count = 0
    overdue = Case.objects.filter(state__in=OPEN_STATES, escalated=False, deadline__lt=now)
    for case in overdue.order_by("deadline")[:BATCH]:
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, escalated=False).update(
                    escalated=True, escalated_at=now):
                continue
            record_event("case.escalated", actor_label="policy", subject=case,
                         data={"deadline": case.deadline, "overdue_seconds":
                               int((now - case.deadline).total_seconds())})
            count += 1
    return count


def expire_timed_sanctions(now: datetime | None = None) -> int:
    """Lift timed suspensions and reach limits whose time is up."""
    now = now or timezone.now()
    due = CaseAction.objects.filter(
        kind__in=list(TIMED), ends_at__lte=now, expired_at__isnull=True,
        reversed_at__isnull=True,
    ).select_related("case", "case__account", "case__post")
    count = 0
    for action in due.order_by("ends_at")[:BATCH]:
        with transaction.atomic():
            # Claim it first, so two workers never lift the same sanction twice.
            if not CaseAction.objects.filter(pk=action.pk, expired_at__isnull=True).update(
                    expired_at=now):
                continue
            if _superseded(action):
                continue
            reverse_action(action, None, event="expired")
            count += 1
    return count


def _superseded(action: CaseAction) -> bool:
    """Another sanction of the same kind on the same target, still in force and ending later
    (or never), keeps the restriction."""
    later = CaseAction.objects.filter(
        kind=action.kind, case__account_id=action.case.account_id,
        reversed_at__isnull=True, expired_at__isnull=True,
    ).exclude(pk=action.pk).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=action.ends_at))
    if action.kind != ActionKind.SUSPEND:
        later = later.filter(case__post_id=action.case.post_id)
    return later.exists()


def purge_expired_content(now: datetime | None = None) -> int:
    """Erase removed and deleted posts kept past the preservation window, unless a case
    about them is under legal hold. Each purge is audited (without the content)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PARLEY_PRESERVE_DAYS)
    held = Exists(Case.objects.filter(post_id=OuterRef("pk"), legal_hold=True))
    due = (
        Post.objects.filter(state__in=[PostState.REMOVED, PostState.DELETED],
                            state_changed_at__lt=cutoff)
        .filter(~Q(text="") | ~Q(spoiler_text="") | ~Q(content_html="")
                | Q(media__isnull=False))
        .exclude(held)
        .distinct()
    )
    count = 0
    for post in due.order_by("id")[:BATCH]:
        with transaction.atomic():
            _purge(post, now)
        count += 1
    return count


def _purge(post: Post, now: datetime) -> None:
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not (post.text or post.spoiler_text or post.content_html or post.media.exists()):
        return  # another worker got here first
    was = post.state
    if post.state != PostState.DELETED:
        transition_post(post, PostState.DELETED)
    for media in post.media.all():
        media.file.delete(save=False)
        media.delete()
    PostRevision.objects.filter(post=post).delete()
    # Erasing content is not a state change; the row stays so cases and statements resolve.
    Post.objects.filter(pk=post.pk).update(text="", content_html="", spoiler_text="")
    record_event("content.purged", actor_label="policy", subject=post,
                 data={"post_id": post.pk, "author_id": post.author_id, "was": was,
                       "state_changed_at": post.state_changed_at, "purged_at": now})


@dataclass
class JobReport:
    escalated: int = 0
    expired: int = 0
    purged: int = 0
    spread: int = 0  # watched posts whose spread opened a case


def run_periodic_jobs(now: datetime | None = None) -> JobReport:
    """Run every periodic safety job once; one failing job does not stop the others."""
    report = JobReport()
    for name, job in (("escalated", escalate_overdue_cases),
                      ("expired", expire_timed_sanctions),
                      ("purged", purge_expired_content),
                      ("spread", rescore_watched_posts)):
        try:
            setattr(report, name, job(now))
        except Exception:
            log.exception("safety job %s failed", job.__name__)
    if any(asdict(report).values()):
        log.info("safety jobs: %s", asdict(report))
    return report
