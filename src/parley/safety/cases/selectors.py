"""Reads of cases, notices, statements, appeals, notifiers and rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from parley.accounts.models import User
from parley.core.errors import NotFound
from parley.posts.models import Post, PostState
from parley.safety.cases.models import (
    OPEN_STATES,
    Appeal,
    Case,
    CaseAction,
    InstanceRule,
    Notice,
    Notifier,
    StatementOfReasons,
    Strike,
)


def instance_rules() -> QuerySet[InstanceRule]:
    return InstanceRule.objects.all()


def case_queue() -> QuerySet[Case]:
    """Open cases, most urgent first: escalated, then priority, then nearest deadline."""
    return (
        Case.objects.filter(state__in=OPEN_STATES)
        .select_related("post", "account", "claimed_by")
        .order_by("-escalated", "-priority", "deadline", "id")
    )


def all_cases() -> QuerySet[Case]:
    return Case.objects.select_related("post", "account", "claimed_by").order_by("-id")


def time_left(case: Case) -> timedelta:
    """Time until the case's deadline; negative when overdue."""
    return case.deadline - timezone.now()


def get_case(case_id: int | str) -> Case:
    try:
        return Case.objects.select_related("post", "account", "claimed_by").get(pk=int(case_id))
    except (Case.DoesNotExist, TypeError, ValueError):
        raise NotFound("Case not found") from None


@dataclass
class CaseDetail:
    case: Case
    notices: list[Notice]
    screening: list[dict]
    post: Post | None
    thread: list[Post]
    author_recent_posts: list[Post]
    prior_strikes: list[Strike]
    actions: list[CaseAction]
    appeals: list[Appeal]
    near_duplicates: list[Post] = field(default_factory=list)


def case_detail(case_id: int | str) -> CaseDetail:
    """Everything a moderator needs to decide a case, in a handful of queries."""
    case = get_case(case_id)
    post = case.post
    return CaseDetail(
        case=case,
        notices=list(case.notices.select_related("reporter", "notifier").order_by("id")),
        screening=list(case.screening),
        post=post,
        thread=_thread(post) if post else [],
        author_recent_posts=list(
            Post.objects.filter(author_id=case.account_id).exclude(state=PostState.DELETED)
            .order_by("-id")[:10]
        ),
        prior_strikes=list(
            Strike.objects.filter(account_id=case.account_id).select_related("action")
            .order_by("-id")
        ),
        actions=list(case.actions.select_related("moderator").order_by("id")),
        appeals=list(
            Appeal.objects.filter(Q(statement__action__case=case) | Q(notice__case=case))
            .order_by("id")
        ),
        near_duplicates=near_duplicates(post) if post else [],
    )


def _thread(post: Post) -> list[Post]:
    """The post's ancestors, oldest first, and the post itself."""
    chain = [post]
    seen = {post.pk}
    current = post
    while current.in_reply_to_id and current.in_reply_to_id not in seen and len(chain) < 50:
        current = Post.objects.select_related("author").filter(pk=current.in_reply_to_id).first()
        if current is None:
            break
        seen.add(current.pk)
        chain.append(current)
    return chain[::-1]


def near_duplicates(post: Post, threshold: float = 0.8) -> list[Post]:
    """Copies of a post, from the screening app's near-duplicate index."""
    from parley.safety.screening.selectors import near_duplicates_of

    try:
        return [p for p in near_duplicates_of(post, threshold=threshold) if p.pk != post.pk]
    except Exception:  # an index failure must not stop a moderator's work
        return []


def statements_for(user: User) -> QuerySet[StatementOfReasons]:
    return (
        StatementOfReasons.objects.filter(recipient=user)
        .select_related("action", "action__case", "action__case__post")
        .order_by("-id")
    )


def get_statement(statement_id: int | str) -> StatementOfReasons:
    try:
        return StatementOfReasons.objects.select_related(
            "action", "action__case", "action__case__post", "recipient"
        ).get(pk=int(statement_id))
    except (StatementOfReasons.DoesNotExist, TypeError, ValueError):
        raise NotFound("Statement not found") from None


def get_statement_for(user: User | None, statement_id: int | str) -> StatementOfReasons:
    """A statement its recipient or a moderator may read; NotFound for anyone else."""
    statement = get_statement(statement_id)
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound("Statement not found")
    if statement.recipient_id != user.pk and not user.is_moderator:
        raise NotFound("Statement not found")
    return statement


@dataclass(frozen=True)
class ActedOn:
    """The content a statement is about, quoted to its author (whoever else asks: moderators)."""

    text: str
    spoiler_text: str
    created_at: object
    media_count: int
    purged: bool  # past the preservation window: the words are no longer kept


def content_acted_on(statement: StatementOfReasons) -> ActedOn | None:
    post = statement.action.case.post if statement.action.case.post_id else None
    if post is None:
        return None
    media = post.media.count()
    purged = not (post.text or post.spoiler_text or media)
    return ActedOn(post.text, post.spoiler_text, post.created_at, media, purged)


def statements_by_id(ids: list[int]) -> dict[int, StatementOfReasons]:
    rows = StatementOfReasons.objects.filter(pk__in=ids).select_related("action", "action__case")
    return {s.pk: s for s in rows}


def notice_by_receipt(receipt: str) -> Notice:
    notice = Notice.objects.select_related("case").filter(receipt=str(receipt)).first()
    if notice is None:
        raise NotFound("No notice with this receipt")
    return notice


def notices_of(notifier: Notifier) -> QuerySet[Notice]:
    return Notice.objects.filter(notifier=notifier).select_related("case").order_by("-id")


def member_reports() -> QuerySet[Notice]:
    """Notices filed by members: Mastodon's reports."""
    return (
        Notice.objects.filter(reporter__isnull=False)
        .select_related("case", "case__account", "case__claimed_by", "reporter")
        .order_by("-id")
    )


def get_report(report_id: int | str) -> Notice:
    try:
        return member_reports().get(pk=int(report_id))
    except (Notice.DoesNotExist, TypeError, ValueError):
        raise NotFound("Record not found") from None


def pending_appeals() -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(state=Appeal.State.PENDING)
        .select_related("statement", "statement__action", "notice", "appellant")
        .order_by("created_at")
    )


def get_appeal(appeal_id: int | str) -> Appeal:
    try:
        return Appeal.objects.select_related(
            "statement", "statement__action", "statement__action__case", "notice", "appellant"
        ).get(pk=int(appeal_id))
    except (Appeal.DoesNotExist, TypeError, ValueError):
        raise NotFound("Appeal not found") from None


def notifiers() -> QuerySet[Notifier]:
    return Notifier.objects.order_by("name")


def notifier_by_token_hash(token_hash: str) -> Notifier | None:
    return Notifier.objects.filter(token_hash=token_hash, revoked_at__isnull=True,
                                   active=True).first()


def post_ids_under_case(user: User) -> set[int]:
    """The posts of ``user`` that a case concerns: kept (hidden) when the account is purged,
    for appeals, preservation and legal holds, until the preservation purge erases them."""
    return set(Case.objects.filter(post__author=user).values_list("post_id", flat=True))
