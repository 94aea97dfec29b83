"""State changes of notices, cases, appeals, referrals and notifiers. Every change is
audited; moderation actions go through ``take_action`` (in ``actions``, re-exported here)."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from parley.accounts.models import Follow, User
from parley.core.errors import Conflict, NotAllowed, NotFound, RateLimited, ValidationFailed
from parley.notifications.services import notify_outcome
from parley.posts.models import Post, PostState, Visibility
from parley.safety import policy
from parley.safety.audit import record_event
from parley.safety.cases import harm
from parley.safety.cases.actions import (  # noqa: F401  (re-exported: the contract's names)
    THROTTLED_NOTICES_PER_HOUR,
    bulk_action,
    decide_notice,
    move_case,
    notifier_is_throttled,
    require_moderator,
    reverse_action,
    take_action,
)
from parley.safety.cases.models import (
    OPEN_STATES,
    Appeal,
    Case,
    CaseAction,
    CaseState,
    InstanceRule,
    Notice,
    NoticeSource,
    Notifier,
    Referral,
    StatementOfReasons,
    WatchedPost,
)
from parley.safety.policy import SEVERITY_WEIGHT, category_policy
from parley.safety.screening.base import evidence_dict

log = logging.getLogger(__name__)

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
TOKEN_PREFIX = "pnt_"
PRIVATE_VISIBILITIES = (Visibility.PRIVATE, Visibility.DIRECT)
MIN_EXPLANATION = 10
DECIDED_OUTCOMES = ("actioned", "rejected")  # a moderator upheld or rejected the notice
MAX_REPORTERS = policy.MAX_REPORTERS  # see policy.py: reports in case priority


# -- priority -------------------------------------------------------------------------------


def _reach(case: Case) -> float:
    followers = Follow.objects.filter(followee_id=case.account_id).count()
    engagement = 0
    if case.post is not None:
        engagement = case.post.reblogs_count + case.post.favourites_count
    return 1.0 + math.log1p(followers + 2 * engagement)


def _trust(notice: Notice) -> float:
    """How much a notice's source is trusted, lowered for notifiers often found wrong."""
    trust = SOURCE_TRUST.get(notice.source, 1.0)
    if notice.notifier_id:
        n = notice.notifier
        trust *= (n.founded_count + 1) / (n.founded_count + n.unfounded_count + 1)
    return trust


def recompute_priority(case: Case) -> float:
    """priority = severity x reach x confidence x strongest notifier trust."""
    rules = category_policy(case.category)
    notices = list(case.notices.select_related("notifier"))
    trust = max((_trust(n) for n in notices), default=1.0)
    humans = [n for n in notices if n.source != NoticeSource.SCREENING]
    # Each further independent report adds a little confidence, up to 0.9.
    reported = min(0.9, 0.5 + 0.05 * (len(humans) - 1)) if humans else 0.0
    confidence = max(case.confidence, reported, 0.1)
    case.priority = (SEVERITY_WEIGHT[rules.severity] * _reach(case) * confidence * trust
                     * _reporters_weight(humans))
    return case.priority


def _reporters_weight(notices: list[Notice]) -> float:
    """Several people reporting one thing is strong evidence: the square of the distinct
    reporters' summed weight (members by account, weighed by their track record; others one
    per notice), capped at MAX_REPORTERS (policy.py)."""
    members = {n.reporter_id for n in notices if n.reporter_id}
    others = {n.pk for n in notices if not n.reporter_id}
    if not members and not others:
        return 1.0
    total = sum(reporter_weights(members).values()) + len(others)
    return float(min(total, policy.MAX_REPORTERS) ** 2)


def reporter_weights(reporter_ids: set[int]) -> dict[int, float]:
    """Each member's report weight from their decided reports (policy.REPORTER_TRACK_RECORD):
    1 for a new reporter, more for one often upheld, less for one often rejected."""
    if not reporter_ids:
        return {}
    knobs = policy.REPORTER_TRACK_RECORD
    prior_upheld, prior_rejected = knobs["prior_upheld"], knobs["prior_rejected"]
    new_rate = prior_upheld / (prior_upheld + prior_rejected)
    records = {row["reporter_id"]: row for row in (
        Notice.objects.filter(reporter_id__in=reporter_ids, outcome__in=DECIDED_OUTCOMES)
        .values("reporter_id")
        .annotate(upheld=Count("id", filter=Q(outcome="actioned")), decided=Count("id")))}
    weights = {}
    for reporter_id in reporter_ids:
        record = records.get(reporter_id, {"upheld": 0, "decided": 0})
        rate = ((record["upheld"] + prior_upheld)
                / (record["decided"] + prior_upheld + prior_rejected))
        weights[reporter_id] = min(max(rate / new_rate, knobs["min_weight"]),
                                   knobs["max_weight"])
    return weights


# -- opening cases ---------------------------------------------------------------------------


def _open_or_join_case(*, account: User, post: Post | None, category: str,
                       deadline: datetime | None = None) -> tuple[Case, bool]:
    """The open case about this post (or account), or a new one. Reports floods merge here."""
    existing = Case.objects.select_for_update().filter(
        account=account, post=post, state__in=OPEN_STATES
    ).first()
    rules = category_policy(category)
    due = deadline or timezone.now() + rules.deadline
    if existing is not None:
        if SEVERITY_WEIGHT[rules.severity] > SEVERITY_WEIGHT[
                category_policy(existing.category).severity]:
            existing.category = category
        existing.deadline = min(existing.deadline, due)
        existing.save(update_fields=["category", "deadline"])
        return existing, False
    case = Case.objects.create(account=account, post=post, category=category, deadline=due)
    record_event("case.opened", actor_label="system", subject=case,
                 data={"category": category, "post_id": getattr(post, "pk", None),
                       "account_id": account.pk, "deadline": due})
    if post is not None:
        _join_watch(case)
    return case, True


def _new_receipt() -> str:
    return secrets.token_hex(8)


def _add_notice(case: Case, **fields) -> Notice:
    notice = Notice.objects.create(case=case, receipt=_new_receipt(), outcome="pending",
                                   **fields)
    recompute_priority(case)
    case.save(update_fields=["priority"])
    return notice


def file_member_report(
    reporter: User,
    account: User,
    posts: list,
    category: str,
    comment: str = "",
    rule_ids: list[int | str] | tuple = (),
) -> Notice:
    """A member reports an account and optionally some of its posts (Mastodon's reports).

    The same member reporting the same thing again gets their first report back."""
    if category not in REPORT_CATEGORY:
        raise ValidationFailed(f"Unknown report category {category!r}")
    if reporter.pk == account.pk:
        raise ValidationFailed("You cannot report yourself")
    policy_category = REPORT_CATEGORY[category]
    rule_ids = _check_rule_ids(rule_ids)
    post = posts[0] if len(posts) == 1 else None
    with transaction.atomic():
        duplicate = Notice.objects.filter(
            reporter=reporter, case__account=account, case__post=post,
            case__state__in=OPEN_STATES,
        ).first()
        if duplicate is not None:
            return duplicate
        case, _ = _open_or_join_case(account=account, post=post, category=policy_category)
        notice = _add_notice(
            case, source=NoticeSource.MEMBER, reporter=reporter, category=policy_category,
            reported_category=category, comment=comment[:1000], rule_ids=list(rule_ids),
            post_ids=[p.pk for p in posts],
        )
        record_event("notice.received", actor=reporter, subject=notice,
                     data={"case_id": case.pk, "source": "member", "category": category,
                           "post_ids": notice.post_ids})
    return notice


# -- notices from outside: the public form (Art. 16) and notifiers ----------------------------

_POST_PATH = re.compile(r"^/@(?P<username>\w+)/(?P<post_id>\d+)/?$")
_API_POST_PATH = re.compile(r"^/(?:api/v1/)?statuses/(?P<post_id>\d+)/?$")
_ACCOUNT_PATH = re.compile(r"^/@(?P<username>\w+)/?$")


def _our_hosts() -> set[str]:
    hosts = {settings.PARLEY_DOMAIN.lower(), "localhost", "127.0.0.1"}
    hosts |= {h.lower().lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"}
    return hosts


def resolve_content_url(url: str) -> tuple[User, Post | None]:
    """The account (and post) an exact URL of this instance points at."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("url must be the exact http(s) address of a post or profile")
    if parts.hostname.lower() not in _our_hosts():
        raise ValidationFailed(f"{parts.hostname} is not this instance ({settings.PARLEY_DOMAIN})")
    if match := _POST_PATH.match(parts.path) or _API_POST_PATH.match(parts.path):
        post = (Post.objects.select_related("author").exclude(state=PostState.DELETED)
                .filter(pk=int(match["post_id"])).first())
        if post is None or ("username" in match.groupdict()
                            and post.author.username.lower() != match["username"].lower()):
            raise ValidationFailed("No post at this url")
        return post.author, post
    if match := _ACCOUNT_PATH.match(parts.path):
        account = User.objects.filter(username__iexact=match["username"]).first()
        if account is None:
            raise ValidationFailed("No account at this url")
        return account, None
    raise ValidationFailed("url must point at a post (/@name/123) or a profile (/@name)")


def _check_category(category: str) -> str:
    if category not in policy.POLICY:
        raise ValidationFailed(
            f"Unknown category {category!r}; one of {', '.join(sorted(policy.POLICY))}")
    return category


def _check_explanation(explanation: str) -> str:
    explanation = (explanation or "").strip()
    if len(explanation) < MIN_EXPLANATION:
        raise ValidationFailed("explanation must say why the content is illegal or against "
                               f"the rules (at least {MIN_EXPLANATION} characters)")
    return explanation[:5000]


def file_public_notice(*, url: str, explanation: str, category: str, name: str = "",
                       email: str = "", good_faith: bool) -> Notice:
    """A notice from anyone, without an account (DSA Art. 16). A receipt is mailed if an
    address is given; ``notice.receipt`` tracks it."""
    if not good_faith:
        raise ValidationFailed("Please confirm that you believe in good faith that the "
                               "information is accurate and complete")
    explanation = _check_explanation(explanation)
    _check_category(category)
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed("email is not a valid address") from None
    account, post = resolve_content_url(url)
    with transaction.atomic():
        case, _ = _open_or_join_case(account=account, post=post, category=category)
        notice = _add_notice(
            case, source=NoticeSource.PUBLIC, category=category, comment=explanation,
            url=url.strip(), name=(name or "").strip()[:200], email=email, good_faith=True,
            post_ids=[post.pk] if post else [],
        )
        record_event("notice.received", actor_label="public", subject=notice,
                     data={"case_id": case.pk, "source": "public", "category": category,
                           "url": notice.url})
    if email:
        transaction.on_commit(lambda: _mail_receipt(notice))
    return notice


def _mail_receipt(notice: Notice) -> None:
    try:
        send_mail(
            f"We received your notice ({notice.receipt})",
            f"Thank you. We received your notice about {notice.url} at "
            f"{notice.created_at:%Y-%m-%d %H:%M %Z}.\n\nReceipt: {notice.receipt}\n"
            "We will tell you what we decide.\n", None, [notice.email],
        )
    except Exception:  # mail is best effort; the receipt was shown on the page
        log.exception("could not mail the receipt of notice %s", notice.receipt)


def file_notifier_notice(notifier: Notifier, *, url: str, explanation: str, category: str,
                         removal_order: bool = False, deadline: datetime | None = None
                         ) -> Notice:
    """A notice from an authenticated notifier; authorities may send removal orders with
    a legal deadline (1 hour by default). Sending the same url again returns the first
    receipt while the case is open."""
    _check_notifier_may_notify(notifier)
    _check_category(category)
    explanation = _check_explanation(explanation)
    if removal_order and notifier.kind != Notifier.Kind.AUTHORITY:
        raise NotAllowed("Only authorities can send removal orders")
    now = timezone.now()
    if deadline is not None and deadline <= now:
        raise ValidationFailed("deadline must be in the future")
    if removal_order and deadline is None:
        deadline = now + policy.AUTHORITY_ORDER_DEADLINE
    account, post = resolve_content_url(url)
    with transaction.atomic():
        duplicate = Notice.objects.filter(notifier=notifier, url=url.strip(),
                                          case__state__in=OPEN_STATES).first()
        if duplicate is not None:
            return duplicate
        case, _ = _open_or_join_case(account=account, post=post, category=category,
                                     deadline=deadline)
        notice = _add_notice(
            case, source=notifier.kind, notifier=notifier, category=category,
            comment=explanation, url=url.strip(), removal_order=removal_order,
            deadline=deadline, post_ids=[post.pk] if post else [], good_faith=True,
        )
        Notifier.objects.filter(pk=notifier.pk).update(last_used_at=now)
        record_event("notice.received", actor_label=f"notifier:{notifier.name}",
                     subject=notice,
                     data={"case_id": case.pk, "source": notifier.kind, "category": category,
                           "url": notice.url, "removal_order": removal_order,
                           "deadline": deadline})
    return notice


def _check_notifier_may_notify(notifier: Notifier) -> None:
    if notifier.revoked_at or not notifier.active:
        raise NotAllowed("This notifier token was revoked")
    if notifier.is_suspended:
        raise NotAllowed(
            "This notifier is suspended from sending notices until "
            f"{notifier.suspended_until:%Y-%m-%d %H:%M %Z} because too many of its notices "
            "were manifestly unfounded (DSA Art. 23)")
    if notifier_is_throttled(notifier):
        recent = Notice.objects.filter(
            notifier=notifier, created_at__gte=timezone.now() - timedelta(hours=1)).count()
        if recent >= THROTTLED_NOTICES_PER_HOUR:
            raise RateLimited(
                f"Too many of this notifier's notices were unfounded; it may send "
                f"{THROTTLED_NOTICES_PER_HOUR} notices an hour for now",
                limit=THROTTLED_NOTICES_PER_HOUR, remaining=0,
                reset_at=(timezone.now() + timedelta(hours=1)).timestamp())


# -- notifiers --------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_notifier(name: str, kind: str) -> tuple[Notifier, str]:
    """A new notifier and its token, returned in plain text this once (stored hashed)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("A notifier needs a name")
    if kind not in Notifier.Kind.values:
        raise ValidationFailed(f"kind must be one of {', '.join(Notifier.Kind.values)}")
    if Notifier.objects.filter(name=name).exists():
        raise Conflict(f"A notifier named {name!r} exists already")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    notifier = Notifier.objects.create(name=name, kind=kind, token_hash=hash_token(token))
    record_event("notifier.created", actor_label="operator", subject=notifier,
                 data={"name": name, "kind": kind})
    return notifier, token


def revoke_notifier(name: str) -> Notifier:
    notifier = Notifier.objects.filter(name=name).first()
    if notifier is None:
        raise NotFound(f"No notifier named {name!r}")
    notifier.revoked_at = timezone.now()
    notifier.active = False
    notifier.save(update_fields=["revoked_at", "active"])
    record_event("notifier.revoked", actor_label="operator", subject=notifier,
                 data={"name": name})
    return notifier


def authenticate_notifier(token: str) -> Notifier | None:
    from parley.safety.cases.selectors import notifier_by_token_hash

    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    return notifier_by_token_hash(hash_token(token))


# -- screening results and copies -------------------------------------------------------------


def open_case_for_screening(post: Post, verdict) -> Case | None:
    """Screening held a post or flagged it: open (or join) a case with the evidence.

    A model case (a score alone, not a hold) opens only where its expected harm clears the
    bar (``harm.case_bar``); below it the post is watched and None is returned."""
    category, score = verdict.category or "other", verdict.score
    with transaction.atomic():
        harm_value = None
        if getattr(verdict, "is_model_case", False) and not _has_open_case(post):
            candidates = verdict.case_candidates or {category: score}
            cleared, weighed = harm.weigh_candidates(post, candidates)
            if cleared is None:
                watch_post(post, verdict, *weighed)
                return None
            category, score, harm_value = cleared
        return _case_from_screening(post, category, _screening_entry(verdict), score,
                                    verdict.reason, harm_value)


def _has_open_case(post: Post) -> bool:
    return Case.objects.filter(post=post, state__in=OPEN_STATES).exists()


def _case_from_screening(post: Post, category: str, entry: dict, score: float, reason: str,
                         harm_value: float | None) -> Case:
    case, created = _open_or_join_case(account=post.author, post=post, category=category)
    case.screening = [*case.screening, entry]
    case.confidence = max(case.confidence, score)
    fields = ["screening", "confidence"]
    if created and harm_value is not None:
        case.expected_harm = harm_value
        fields.append("expected_harm")
    case.save(update_fields=fields)
    _add_notice(case, source=NoticeSource.SCREENING, category=category, comment=reason,
                post_ids=[post.pk])
    return case


# -- watched posts: flagged, but not worth a case until they spread or are reported ----------


def watch_post(post: Post, verdict, category: str, score: float,
               harm_value: float) -> WatchedPost:
    """Keep a flagged post's screening result for later: re-scored as it spreads."""
    watched, _ = WatchedPost.objects.update_or_create(
        post=post,
        defaults={"category": category, "score": score, "expected_harm": harm_value,
                  "screening": _screening_entry(verdict), "reason": verdict.reason,
                  "state": WatchedPost.State.WATCHING},
    )
    record_event("screening.watched", actor_label="screening", subject=post,
                 data={"category": category, "score": round(score, 4),
                       "expected_harm": round(harm_value, 3)})
    return watched


def rescore_watched_post(post: Post) -> Case | None:
    """Re-weigh a watched post's score by its reach now (after an echo, a reply, a like):
    a case opens once its expected harm clears the bar. Does nothing for unwatched posts."""
    with transaction.atomic():
        watched = (WatchedPost.objects.select_for_update()
                   .filter(post_id=post.pk, state=WatchedPost.State.WATCHING).first())
        if watched is None:
            return None
        post = Post.objects.get(pk=post.pk)
        if post.state != PostState.PUBLISHED:
            return None
        watched.expected_harm = harm.expected_harm(post, watched.score)
        watched.rescored_at = timezone.now()
        bar = harm.case_bar(watched.category)
        if bar is not None and watched.expected_harm < bar:
            watched.save(update_fields=["expected_harm", "rescored_at"])
            return None
        # Leave the watch before the case opens, so opening it does not join the watch again.
        watched.state = WatchedPost.State.CASE_OPENED
        watched.save(update_fields=["expected_harm", "rescored_at", "state"])
        entry = {**watched.screening, "reason": f"{watched.reason}; spreading: expected harm "
                                                 f"{watched.expected_harm:.1f}"}
        case = _case_from_screening(post, watched.category, entry, watched.score,
                                    entry["reason"], watched.expected_harm)
        watched.case = case
        watched.save(update_fields=["case"])
    return case


def rescore_watched_posts(now: datetime | None = None) -> int:
    """Periodic job: re-score posts watched within the watch window; returns cases opened."""
    since = (now or timezone.now()) - policy.WATCH_WINDOW
    ids = list(WatchedPost.objects.filter(state=WatchedPost.State.WATCHING,
                                          watched_at__gte=since)
               .order_by("-expected_harm").values_list("post_id", flat=True))
    opened = 0
    for post in Post.objects.filter(pk__in=ids):
        opened += rescore_watched_post(post) is not None
    return opened


def _join_watch(case: Case) -> None:
    """A report or notice opened a case on a watched post: bring in the model's evidence."""
    watched = WatchedPost.objects.filter(post_id=case.post_id,
                                         state=WatchedPost.State.WATCHING).first()
    if watched is None:
        return
    case.screening = [*case.screening, watched.screening]
    case.confidence = max(case.confidence, watched.score)
    # A report filed as "violation" is about the model's category: its severity and deadline.
    rules = category_policy(watched.category)
    if SEVERITY_WEIGHT[rules.severity] > SEVERITY_WEIGHT[category_policy(case.category).severity]:
        case.category = watched.category
        case.deadline = min(case.deadline, timezone.now() + rules.deadline)
    case.save(update_fields=["screening", "confidence", "category", "deadline"])
    watched.state, watched.case = WatchedPost.State.REPORTED, case
    watched.save(update_fields=["state", "case"])


def open_case_for_account_screening(account: User, verdict) -> Case:
    """Screening flagged an account's profile (display name, bio): a case about the account."""
    category = verdict.category or "other"
    with transaction.atomic():
        case, _ = _open_or_join_case(account=account, post=None, category=category)
        case.screening = [*case.screening, _screening_entry(verdict)]
        case.confidence = max(case.confidence, getattr(verdict, "score", 0.0))
        case.save(update_fields=["screening", "confidence"])
        _add_notice(case, source=NoticeSource.SCREENING, category=category,
                    comment=getattr(verdict, "reason", ""))
    return case


def _screening_entry(verdict) -> dict:
    results = getattr(verdict, "results", []) or []
    return {
        "tier": getattr(verdict, "tier", ""),
        "outcome": getattr(verdict, "outcome", ""),
        "category": getattr(verdict, "category", ""),
        "score": round(float(getattr(verdict, "score", 0.0)), 4),
        "reason": getattr(verdict, "reason", ""),
        "failed_detectors": getattr(verdict, "failed_detectors", []),
        "scores": {r.detector: r.scores for r in results},
        "evidence": {r.detector: evidence_dict(r) for r in results},
    }


def open_case_for_copy(copy: Post, original: Post, category: str) -> Case:
    """A near-duplicate of removed content: a case pointing at the original (the sweep)."""
    with transaction.atomic():
        case, _ = _open_or_join_case(account=copy.author, post=copy, category=category)
        case.screening = [*case.screening, {
            "tier": "sweep", "outcome": "case", "category": category, "score": 1.0,
            "reason": f"copy of removed post {original.pk}", "scores": {},
            "evidence": {"near_duplicate": {"removed_post_id": original.pk}},
        }]
        case.confidence = max(case.confidence, 0.8)
        case.save(update_fields=["screening", "confidence"])
        _add_notice(case, source=NoticeSource.SCREENING, category=category,
                    comment=f"Copy of removed post {original.pk}", post_ids=[copy.pk])
    return case


def open_case_about_account(account: User, moderator: User, category: str = "other") -> Case:
    """A moderator acts on an account without a report: its open account case, or a new one."""
    require_moderator(moderator)
    _check_category(category)
    with transaction.atomic():
        case, _ = _open_or_join_case(account=account, post=None, category=category)
    return case


def cluster_action(case: Case, moderator: User, kind: str, *, reason: str = ""
                   ) -> list[CaseAction]:
    """Take ``kind`` on every near-duplicate of the case's post (not on the case itself),
    opening a case for each copy that has none. Copies another moderator holds are skipped."""
    require_moderator(moderator)
    if case.post is None:
        raise ValidationFailed("This case is about an account, not a post")
    from parley.safety.cases.selectors import near_duplicates

    done = []
    for copy in near_duplicates(case.post):
        copy_case = open_case_for_copy(copy, case.post, case.category)
        try:
            done.append(take_action(copy_case, moderator, kind, reason=reason,
                                    category=case.category))
        except Conflict:
            continue
    return done


# -- claims and closing -----------------------------------------------------------------------


def claim_case(case: Case, moderator: User) -> Case:
    """Claim an open case so no other moderator decides it at the same time."""
    require_moderator(moderator)
    claimed = Case.objects.filter(pk=case.pk, state__in=OPEN_STATES,
                                  claimed_by__isnull=True).update(
        claimed_by=moderator, claimed_at=timezone.now(), state=CaseState.IN_REVIEW)
    case.refresh_from_db()
    if not claimed:
        if case.claimed_by_id == moderator.pk:
            return case
        if case.claimed_by_id is not None:
            raise Conflict("Another moderator is already working on this case")
        raise Conflict(f"This case is {case.state}, not open")
    record_event("case.claimed", actor=moderator, subject=case)
    return case


def unclaim_case(case: Case, moderator: User) -> Case:
    """Give a claimed case back to the queue (admins may release anyone's claim)."""
    require_moderator(moderator)
    case.refresh_from_db()
    if case.claimed_by_id is None:
        return case
    if case.claimed_by_id != moderator.pk and not moderator.is_admin:
        raise Conflict("Another moderator is working on this case")
    Case.objects.filter(pk=case.pk).update(claimed_by=None, claimed_at=None,
                                           state=CaseState.OPEN)
    case.refresh_from_db()
    record_event("case.unclaimed", actor=moderator, subject=case)
    return case


def close_case(case: Case, moderator: User, reason: str = "") -> Case:
    """Close a case; notices still pending are answered 'no action'."""
    require_moderator(moderator)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.claimed_by_id not in (None, moderator.pk) and not moderator.is_admin:
            raise Conflict("Another moderator is working on this case")
        if case.state == CaseState.CLOSED:
            return case
        move_case(case, CaseState.CLOSED)
        case.claimed_by, case.claimed_at = None, None
        if case.decided_at is None:
            case.decided_at, case.decided_by = timezone.now(), moderator
        case.save()
        for notice in case.notices.filter(outcome="pending").select_related("notifier",
                                                                             "reporter"):
            decide_notice(notice, "no_action",
                          "We reviewed the content and took no action." +
                          (f" {reason}" if reason else ""))
        record_event("case.closed", actor=moderator, subject=case, data={"reason": reason})
    return case


def reopen_case(case: Case, moderator: User) -> Case:
    """Put a decided or closed case back in the queue; its notices become pending again."""
    require_moderator(moderator)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.state in OPEN_STATES:
            return case
        move_case(case, CaseState.OPEN)
        case.decided_at = case.decided_by = None
        case.save()
        case.notices.exclude(source=NoticeSource.SCREENING).update(
            outcome="pending", outcome_text="", decided_at=None)
        record_event("case.reopened", actor=moderator, subject=case)
    return case


def set_legal_hold(case: Case, moderator: User, held: bool = True, reason: str = "") -> Case:
    """Keep a case's content past the preservation window (or stop doing so)."""
    require_moderator(moderator)
    Case.objects.filter(pk=case.pk).update(legal_hold=held)
    case.refresh_from_db()
    record_event("case.legal_hold", actor=moderator, subject=case,
                 data={"held": held, "reason": reason})
    return case


def record_private_content_read(moderator: User, case: Case, posts: list[Post], *,
                                via: str) -> list[int]:
    """Audit a moderator's read of followers-only or direct posts shown through ``case``:
    the only way moderators see private content. Returns the private posts' ids."""
    private = sorted({p.pk for p in posts if p.visibility in PRIVATE_VISIBILITIES})
    if private:
        record_event("case.private_content_read", actor=moderator, subject=case,
                     data={"post_ids": private, "via": via})
    return private


# -- appeals (DSA Art. 20) ---------------------------------------------------------------------


def _check_window(since: datetime | None) -> None:
    if since is not None and timezone.now() - since > policy.APPEAL_WINDOW:
        raise NotAllowed("The appeal window of 6 months has closed")


def _appeal_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Say why the decision is wrong")
    return text[:5000]


FINAL_ON_APPEAL = ("This decision was already reviewed on appeal, and the decision on an appeal "
                   "is final here. You can still take it to a certified out-of-court dispute "
                   "settlement body (DSA Art. 21) or to a court.")


def appeal_refusal(appeals: list[Appeal], decided_at: datetime | None = None) -> str:
    """Why a decision cannot be appealed (again), or "": one appeal per decision. An appeal
    decided before ``decided_at`` was about an earlier decision (a reopened case)."""
    for appeal in appeals:
        if appeal.state == Appeal.State.PENDING:
            return "This decision is already under appeal"
        if decided_at is None or (appeal.decided_at and appeal.decided_at >= decided_at):
            return FINAL_ON_APPEAL
    return ""


def _refuse_second_appeal(appeals: list[Appeal], decided_at: datetime | None = None) -> None:
    refusal = appeal_refusal(appeals, decided_at)
    if refusal == FINAL_ON_APPEAL:
        raise ValidationFailed(refusal)
    if refusal:
        raise Conflict(refusal)


def file_appeal(statement: StatementOfReasons, appellant: User, text: str) -> Appeal:
    """The author contests a decision about their content or account."""
    if appellant is None or statement.recipient_id != appellant.pk:
        raise NotAllowed("Only the person the decision is about can appeal it")
    _check_window(statement.created_at)
    text = _appeal_text(text)
    with transaction.atomic():
        _refuse_second_appeal(list(statement.appeals.select_for_update()))
        if statement.action.reversed_at:
            raise Conflict("This decision was already reversed")
        appeal = Appeal.objects.create(statement=statement, appellant=appellant,
                                       text=text)
        _mark_case_appealed(statement.action.case)
        record_event("appeal.filed", actor=appellant, subject=appeal,
                     data={"statement_id": statement.pk, "action_id": statement.action_id})
    return appeal


def file_notice_appeal(notice: Notice, text: str) -> Appeal:
    """Whoever sent a rejected notice contests the rejection."""
    if notice.outcome != "rejected":
        raise ValidationFailed("Only a rejected notice can be appealed")
    _check_window(notice.decided_at)
    text = _appeal_text(text)
    with transaction.atomic():
        _refuse_second_appeal(list(notice.appeals.select_for_update()), notice.decided_at)
        appeal = Appeal.objects.create(notice=notice, appellant=notice.reporter,
                                       text=text)
        _mark_case_appealed(notice.case)
        record_event("appeal.filed", actor=notice.reporter,
                     actor_label="" if notice.reporter_id else f"notice:{notice.receipt}",
                     subject=appeal, data={"notice_id": notice.pk})
    return appeal


def _mark_case_appealed(case: Case) -> None:
    if case.state == CaseState.DECIDED:
        move_case(case, CaseState.APPEALED)
        case.save(update_fields=["state"])


def _original_deciders(appeal: Appeal) -> set[int]:
    if appeal.statement_id:
        action = appeal.statement.action
        case = action.case
        return {pk for pk in (action.moderator_id, case.decided_by_id) if pk}
    case = appeal.notice.case
    ids = set(case.actions.filter(kind="dismiss").values_list("moderator_id", flat=True))
    return {pk for pk in ids | {case.decided_by_id} if pk}


def decide_appeal(appeal: Appeal, moderator: User, *, reverse: bool, text: str) -> Appeal:
    """A different moderator than the one who decided upholds or reverses the decision."""
    require_moderator(moderator)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Give the reasons for the appeal decision")
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.state != Appeal.State.PENDING:
            raise Conflict("This appeal was already decided")
        if moderator.pk in _original_deciders(appeal):
            raise NotAllowed("A different moderator must decide an appeal against your "
                             "own decision")
        appeal.state = Appeal.State.REVERSED if reverse else Appeal.State.UPHELD
        appeal.decided_by, appeal.decided_at = moderator, timezone.now()
        appeal.decision_text = text[:5000]
        appeal.save()
        case = _case_of(appeal)
        if reverse:
            _reverse_for_appeal(appeal, moderator, case)
        elif case.state == CaseState.APPEALED:
            move_case(case, CaseState.DECIDED)
            case.save(update_fields=["state"])
        record_event("appeal.decided", actor=moderator, subject=appeal,
                     data={"outcome": appeal.state, "case_id": case.pk})
        _notify_appeal_outcome(appeal)
    transaction.on_commit(lambda: _mail_appeal_outcome(appeal))
    return appeal


def _case_of(appeal: Appeal) -> Case:
    return appeal.statement.action.case if appeal.statement_id else appeal.notice.case


def _reverse_for_appeal(appeal: Appeal, moderator: User, case: Case) -> None:
    if appeal.statement_id:
        action = appeal.statement.action
        reverse_action(action, moderator)
        if action.kind != "strike":  # strikes for content found fine go with it
            for strike in case.actions.filter(kind="strike", reversed_at__isnull=True):
                reverse_action(strike, moderator)
        if case.state == CaseState.APPEALED:
            move_case(case, CaseState.DECIDED)
            case.save(update_fields=["state"])
        return
    # A wrongly rejected notice: the case goes back to the queue for a fresh decision.
    notice = appeal.notice
    notice.outcome, notice.outcome_text = "pending", "Your appeal succeeded; we look again."
    notice.save(update_fields=["outcome", "outcome_text"])
    if notice.notifier_id:
        Notifier.objects.filter(pk=notice.notifier_id, unfounded_count__gt=0).update(
            unfounded_count=notice.notifier.unfounded_count - 1)
    if case.state != CaseState.OPEN:
        move_case(case, CaseState.OPEN)
        case.save(update_fields=["state"])


def _notify_appeal_outcome(appeal: Appeal) -> None:
    if not appeal.appellant_id:  # a notifier or an anonymous notice: mail and receipt only
        return
    url = (f"/statements/{appeal.statement_id}" if appeal.statement_id
           else f"/notice/{appeal.notice.receipt}")
    notify_outcome(recipient=appeal.appellant, kind="appeal_decided", subject_id=appeal.pk,
                   outcome=appeal.state, url=url)


def _mail_appeal_outcome(appeal: Appeal) -> None:
    email = appeal.appellant.email if appeal.appellant_id else (
        appeal.notice.email if appeal.notice_id else "")
    if not email:
        return
    try:
        send_mail(f"Your appeal was {appeal.state}",
                  f"Decision on your appeal: {appeal.state}.\n\n{appeal.decision_text}\n",
                  None, [email])
    except Exception:
        log.exception("could not mail the outcome of appeal %s", appeal.pk)


# -- referral (DSA Art. 18) ---------------------------------------------------------------


def make_referral(case: Case, moderator: User) -> Referral:
    """Package a threat to life or safety for the police, and record that it was made."""
    require_moderator(moderator)
    case = Case.objects.select_related("post", "account").get(pk=case.pk)
    rules = category_policy(case.category)
    post, author = case.post, case.account
    now = timezone.now()
    package = {
        "instance": settings.PARLEY_DOMAIN,
        "made_at": now.isoformat(),
        "made_by": moderator.username,
        "case_id": case.pk,
        "reason": f"Suspected threat to the life or safety of persons: {rules.label} "
                  f"({rules.examples}).",
        "category": rules.dsa_category,
        "content": None if post is None else {
            "id": post.pk,
            "url": f"https://{settings.PARLEY_DOMAIN}/@{author.username}/{post.pk}",
            "text": post.text,
            "content_warning": post.spoiler_text,
            "created_at": post.created_at.isoformat(),
            "time_zone": str(timezone.get_current_timezone()),
            "state": post.state,
            "media_sha256": list(post.media.values_list("sha256", flat=True)),
        },
        "author": {
            "id": author.pk,
            "username": author.username,
            "display_name": author.display_name,
            "email": author.email,
            "created_at": author.created_at.isoformat(),
            "last_login": author.last_login.isoformat() if author.last_login else None,
        },
        "notices": [
            {"source": n.source, "category": n.category, "received_at": n.created_at.isoformat(),
             "explanation": n.comment}
            for n in case.notices.order_by("id")
        ],
    }
    referral = Referral.objects.create(case=case, moderator=moderator, package=package)
    record_event("case.referred", actor=moderator, subject=case,
                 data={"referral_id": referral.pk, "post_id": case.post_id})
    return referral


def referral_package(referral: Referral) -> dict:
    return dict(referral.package, referral_id=referral.pk)


# -- instance rules (what reports cite; Mastodon's Rule entity) ------------------------------

RULE_TEXT_MAX = 300
RULE_HINT_MAX = 1000


def _require_admin(actor: User | None) -> None:
    """``actor`` None is the operator at the shell (``parley rules``)."""
    if actor is not None and not getattr(actor, "is_admin", False):
        raise NotAllowed("Only admins may change the instance rules")


def _rule_fields(text: str, hint: str) -> tuple[str, str]:
    text, hint = (text or "").strip(), (hint or "").strip()
    if not text:
        raise ValidationFailed("A rule needs a text")
    if len(text) > RULE_TEXT_MAX:
        raise ValidationFailed(f"A rule's text is at most {RULE_TEXT_MAX} characters")
    if len(hint) > RULE_HINT_MAX:
        raise ValidationFailed(f"A rule's hint is at most {RULE_HINT_MAX} characters")
    return text, hint


def _audit_rule(event: str, actor: User | None, rule: InstanceRule, **data) -> None:
    record_event(event, actor=actor, actor_label="" if actor else "cli",
                 subject_type="instancerule", subject_id=rule.pk,
                 data={"text": rule.text, "hint": rule.hint, **data})


def add_rule(actor: User | None, text: str, hint: str = "") -> InstanceRule:
    """Add an instance rule at the end of the list (audited)."""
    _require_admin(actor)
    text, hint = _rule_fields(text, hint)
    with transaction.atomic():
        last = InstanceRule.objects.order_by("-position").values_list("position", flat=True)
        rule = InstanceRule.objects.create(text=text, hint=hint,
                                           position=(last.first() or 0) + 1)
        _audit_rule("rule.added", actor, rule)
    return rule


def change_rule(actor: User | None, rule_id: int | str, text: str, hint: str = ""
                ) -> InstanceRule:
    """Reword a rule; reports that cite it keep citing it (audited, with the old words)."""
    _require_admin(actor)
    text, hint = _rule_fields(text, hint)
    with transaction.atomic():
        rule = _rule(rule_id, lock=True)
        before = {"text": rule.text, "hint": rule.hint}
        rule.text, rule.hint = text, hint
        rule.save(update_fields=["text", "hint"])
        _audit_rule("rule.changed", actor, rule, before=before)
    return rule


def remove_rule(actor: User | None, rule_id: int | str) -> None:
    """Remove a rule (audited). Reports that cited it keep its id in their notice."""
    _require_admin(actor)
    with transaction.atomic():
        rule = _rule(rule_id, lock=True)
        _audit_rule("rule.removed", actor, rule)
        rule.delete()


def _rule(rule_id: int | str, *, lock: bool = False) -> InstanceRule:
    queryset = InstanceRule.objects.select_for_update() if lock else InstanceRule.objects
    rule = queryset.filter(pk=int(rule_id)).first() if str(rule_id).isdigit() else None
    if rule is None:
        raise NotFound(f"No rule {rule_id}")
    return rule


def _check_rule_ids(rule_ids: list[int | str] | tuple) -> list[int]:
    """The cited rules' ids, each an existing rule's (a report cites the rules it breaks)."""
    given = {str(r).strip() for r in rule_ids}
    wanted = sorted(int(r) for r in given if r.isdigit() and len(r) < 19)
    known = set(InstanceRule.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    unknown = sorted(given - {str(r) for r in known})
    if unknown:
        raise ValidationFailed(f"Unknown rule_ids: {', '.join(unknown)[:200]}; see "
                               "GET /api/v1/instance/rules")
    return wanted
