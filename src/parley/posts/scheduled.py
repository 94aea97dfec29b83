"""Scheduled posts (Mastodon's scheduled statuses): stored now, published later by the
worker's periodic jobs through ``create_post``, so they are screened like any post."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from parley.accounts.models import User
from parley.core.errors import NotFound, ParleyError, ValidationFailed
from parley.posts import selectors, services
from parley.posts.models import MediaAttachment, Post, ScheduledStatus
from parley.posts.polls import PollSpec

log = logging.getLogger(__name__)

# Mastodon's rules: at least 5 minutes ahead; 300 pending, 25 on one day, per account.
MIN_DELAY = timedelta(minutes=5)
MAX_PENDING = 300
MAX_PER_DAY = 25
TOO_SOON = "Validation failed: Scheduled at The scheduled date must be in the future"


def check_time(author: User, when: datetime, *, excluding: int | None = None) -> None:
    """422 unless ``when`` is at least 5 minutes ahead and within the account's limits."""
    if when < timezone.now() + MIN_DELAY:
        raise ValidationFailed(TOO_SOON)
    pending = ScheduledStatus.objects.filter(author=author).exclude(pk=excluding)
    if pending.count() >= MAX_PENDING:
        raise ValidationFailed(
            f"Validation failed: Scheduled at You cannot schedule more than {MAX_PENDING} posts"
        )
    if pending.filter(scheduled_at__date=when.date()).count() >= MAX_PER_DAY:
        raise ValidationFailed(
            "Validation failed: Scheduled at You cannot schedule more than "
            f"{MAX_PER_DAY} posts on one day"
        )


def schedule_post(
    author: User,
    when: datetime,
    text: str = "",
    *,
    spoiler_text: str = "",
    visibility: str | None = None,
    in_reply_to: Post | None = None,
    media_ids: list[int] | None = None,
    sensitive: bool = False,
    language: str = "",
    poll: PollSpec | None = None,
    idempotency_key: str | None = None,
    quote_of: Post | None = None,
    quote_policy: str | None = None,
) -> ScheduledStatus:
    """Check a post as ``create_post`` would (screening comes at publication) and store it
    to publish at ``when``. A retried ``Idempotency-Key`` returns the first one."""
    if idempotency_key:
        previous = ScheduledStatus.objects.filter(
            author=author, params__idempotency=idempotency_key
        ).first()
        if previous is not None:
            return previous
    visibility = services.check_new_post(
        author, text, spoiler_text=spoiler_text, visibility=visibility,
        in_reply_to=in_reply_to, media_ids=media_ids or (), poll=poll,
        quote_of=quote_of, quote_policy=quote_policy,
    )
    check_time(author, when)
    params: dict[str, Any] = {
        "text": text or "",
        "poll": None if poll is None else {
            "options": [o.strip() for o in poll.options],
            "expires_in": str(poll.expires_in),
            "multiple": poll.multiple,
            "hide_totals": poll.hide_totals,
        },
        "media_ids": [str(i) for i in media_ids] if media_ids else None,
        "sensitive": sensitive,
        "spoiler_text": (spoiler_text or "").strip() or None,
        "visibility": visibility,
        "in_reply_to_id": str(in_reply_to.pk) if in_reply_to is not None else None,
        "language": (language or "")[:8] or None,
        "application_id": None,
        "scheduled_at": None,
        "idempotency": idempotency_key or None,
        "with_rate_limit": False,
        # Mastodon 4.5's names; an echo is quoted as its original, as create_post does.
        "quoted_status_id": (str(quote_of.reblog_of_id or quote_of.pk)
                             if quote_of is not None else None),
        "quote_approval_policy": quote_policy or None,
    }
    return ScheduledStatus.objects.create(author=author, scheduled_at=when, params=params)


def scheduled_of(user: User) -> QuerySet[ScheduledStatus]:
    return ScheduledStatus.objects.filter(author=user)


def get_scheduled(user: User, scheduled_id: int | str) -> ScheduledStatus:
    """One of ``user``'s scheduled posts; another member's is a 404."""
    try:
        return ScheduledStatus.objects.get(pk=int(scheduled_id), author=user)
    except (ScheduledStatus.DoesNotExist, ValueError, TypeError):
        raise NotFound("Record not found") from None


def media_of(items: list[ScheduledStatus]) -> dict[int, list[MediaAttachment]]:
    """The uploads each scheduled post will carry, in one query."""
    wanted = {int(i) for s in items for i in (s.params.get("media_ids") or [])}
    owners = {s.author_id for s in items}
    found = {m.pk: m for m in MediaAttachment.objects.filter(pk__in=wanted, owner__in=owners)}
    return {
        s.pk: [found[int(i)] for i in (s.params.get("media_ids") or []) if int(i) in found]
        for s in items
    }


def reschedule(scheduled: ScheduledStatus, when: datetime) -> ScheduledStatus:
    check_time(scheduled.author, when, excluding=scheduled.pk)
    scheduled.scheduled_at = when
    scheduled.save(update_fields=["scheduled_at"])
    return scheduled


def cancel(scheduled: ScheduledStatus) -> None:
    scheduled.delete()


def publish_due(now: datetime | None = None) -> int:
    """Publish every scheduled post whose time has come. Run by the worker's periodic
    jobs; safe to run twice, concurrently, or again after a crash: each one is published
    and its row deleted in one transaction (a crash rolls both back), under a row lock and
    an idempotency key, so it is posted exactly once. Returns how many were published."""
    now = now or timezone.now()
    due = ScheduledStatus.objects.filter(scheduled_at__lte=now).order_by("scheduled_at", "pk")
    done = 0
    for pk in list(due.values_list("pk", flat=True)[:500]):
        try:
            done += _publish_one(pk)
        except Exception:  # one bad row must not stop the others; it is retried next run
            log.exception("publishing scheduled status %s failed", pk)
    return done


def _publish_one(pk: int) -> int:
    with transaction.atomic():
        scheduled = (
            ScheduledStatus.objects.select_for_update().select_related("author")
            .filter(pk=pk).first()
        )
        if scheduled is None:
            return 0  # another run published it
        params = scheduled.params
        try:
            services.create_post(
                scheduled.author,
                params.get("text") or "",
                spoiler_text=params.get("spoiler_text") or "",
                visibility=params.get("visibility") or None,
                in_reply_to=_parent(scheduled),
                media_ids=params.get("media_ids") or (),
                sensitive=bool(params.get("sensitive")),
                language=params.get("language") or "",
                idempotency_key=f"scheduled:{scheduled.pk}",
                poll=_poll(params.get("poll")),
                quote_of=_quoted(scheduled),
                quote_policy=params.get("quote_approval_policy") or None,
            )
        except ParleyError as exc:  # rejected, suspended, media gone: it cannot be posted
            log.warning("scheduled status %s dropped: %s", pk, exc)
            scheduled.delete()
            return 0
        scheduled.delete()
        return 1


def _parent(scheduled: ScheduledStatus) -> Post | None:
    """The post it answers, if its author may still see it (else it posts on its own, as
    Mastodon does; its visibility was fixed when it was scheduled)."""
    reply_id = scheduled.params.get("in_reply_to_id")
    if not reply_id:
        return None
    try:
        return selectors.get_post(int(reply_id), scheduled.author)
    except NotFound:
        return None


def _quoted(scheduled: ScheduledStatus) -> Post | None:
    """The post it quotes, if its author may still quote it: one held, removed, deleted or
    no longer quotable since is left out and the post goes out on its own (as a reply whose
    parent went; the quote is never a way to show a held post)."""
    quoted_id = scheduled.params.get("quoted_status_id")
    if not quoted_id:
        return None
    try:
        return services.check_quotable(
            scheduled.author, selectors.get_post(int(quoted_id), scheduled.author))
    except ParleyError:
        return None


def _poll(raw: dict | None) -> PollSpec | None:
    if not raw:
        return None
    return PollSpec(
        options=list(raw["options"]), expires_in=int(raw["expires_in"]),
        multiple=bool(raw.get("multiple")), hide_totals=bool(raw.get("hide_totals")),
    )
