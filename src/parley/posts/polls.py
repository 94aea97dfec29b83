"""Polls: the rules of a new poll, votes, results, and the notice when a poll ends."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from parley.accounts.models import User
from parley.core.errors import ValidationFailed
from parley.posts.models import Poll, PollVote, Post, PostState

log = logging.getLogger(__name__)

# Mastodon's defaults (also reported in /api/v1/instance configuration.polls).
MAX_OPTIONS = 4
MIN_OPTIONS = 2
MAX_OPTION_CHARS = 50
MIN_EXPIRATION = 300  # seconds
MAX_EXPIRATION = 30 * 24 * 3600


@dataclass(frozen=True)
class PollSpec:
    """A poll as asked for with a new post (``poll[...]`` of POST /api/v1/statuses)."""

    options: list[str]
    expires_in: int
    multiple: bool = False
    hide_totals: bool = False


@dataclass
class PollResults:
    """Counts of a poll, and what one viewer chose."""

    option_votes: list[int]
    votes_count: int
    voters_count: int
    own_votes: list[int] = field(default_factory=list)


def validate_poll(spec: PollSpec) -> PollSpec:
    """Refuse a poll Mastodon would refuse; returns it with its options stripped."""
    options = [option.strip() for option in spec.options]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise ValidationFailed(
            f"Validation failed: a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options"
        )
    if any(not option for option in options):
        raise ValidationFailed("Validation failed: Poll options can't be blank")
    if any(len(option) > MAX_OPTION_CHARS for option in options):
        raise ValidationFailed(
            f"Validation failed: Poll options are at most {MAX_OPTION_CHARS} characters"
        )
    if len(set(options)) != len(options):
        raise ValidationFailed("Validation failed: Poll options must be different")
    if not MIN_EXPIRATION <= spec.expires_in <= MAX_EXPIRATION:
        raise ValidationFailed(
            f"Validation failed: Poll expires_in must be {MIN_EXPIRATION} to "
            f"{MAX_EXPIRATION} seconds"
        )
    return PollSpec(options, spec.expires_in, spec.multiple, spec.hide_totals)


def attach_poll(post: Post, spec: PollSpec, now: datetime) -> Poll:
    """Store a validated poll with its new post (inside ``create_post``'s transaction)."""
    return Poll.objects.create(
        post=post,
        options=spec.options,
        expires_at=now + timedelta(seconds=spec.expires_in),
        multiple=spec.multiple,
        hide_totals=spec.hide_totals,
    )


def replace_poll(post: Post, spec: PollSpec | None, now: datetime) -> bool:
    """An edit's poll (inside ``edit_post``'s transaction), Mastodon's rules: ``spec`` None
    removes the poll; new options or a change of ``multiple`` clear every vote (they were
    votes on another question); the end is ``expires_in`` from now. True when the poll
    changed for its voters (options, choice rule, end, or the poll itself)."""
    existing = Poll.objects.select_for_update().filter(post=post).first()
    if spec is None:
        if existing is None:
            return False
        existing.delete()
        return True
    if existing is None:
        attach_poll(post, spec, now)
        return True
    new_question = existing.options != spec.options or existing.multiple != spec.multiple
    if new_question:
        existing.votes.all().delete()
    old_end = existing.expires_at
    existing.options = spec.options
    existing.multiple = spec.multiple
    existing.hide_totals = spec.hide_totals
    existing.expires_at = now + timedelta(seconds=spec.expires_in)
    existing.ended_notified_at = None  # a poll that runs again ends (and is told) again
    existing.save(update_fields=["options", "multiple", "hide_totals", "expires_at",
                                 "ended_notified_at"])
    return new_question or old_end != existing.expires_at


def poll_of(post: Post) -> Poll | None:
    """The post's poll, or None (the reverse one-to-one raises when there is none)."""
    return getattr(post, "poll", None)


def results(poll: Poll, viewer: User | None) -> PollResults:
    return results_of([poll], viewer)[poll.pk]


def results_of(polls: list[Poll], viewer: User | None) -> dict[int, PollResults]:
    """The results of several polls (a page of statuses) in three queries, whatever their
    number: counts per option, voters per poll, and the viewer's own choices."""
    if not polls:
        return {}
    ids = [poll.pk for poll in polls]
    votes = PollVote.objects.filter(poll_id__in=ids).order_by()
    counts: dict[int, dict[int, int]] = {}
    for poll_id, choice, n in votes.values("poll_id", "choice").annotate(
        n=Count("pk")
    ).values_list("poll_id", "choice", "n"):
        counts.setdefault(poll_id, {})[choice] = n
    voters = dict(
        votes.values("poll_id").annotate(n=Count("user_id", distinct=True))
        .values_list("poll_id", "n")
    )
    own: dict[int, list[int]] = {}
    if viewer is not None and viewer.is_authenticated:
        for poll_id, choice in votes.filter(user=viewer).values_list("poll_id", "choice"):
            own.setdefault(poll_id, []).append(choice)
    found = {}
    for poll in polls:
        per_option = counts.get(poll.pk, {})
        option_votes = [per_option.get(i, 0) for i in range(len(poll.options))]
        found[poll.pk] = PollResults(option_votes, sum(option_votes), voters.get(poll.pk, 0),
                                     sorted(own.get(poll.pk, [])))
    return found


def totals_hidden(poll: Poll, viewer: User | None) -> bool:
    """With ``hide_totals`` only the author sees the option counts before the poll ends."""
    return poll.hide_totals and not poll.expired and (
        viewer is None or viewer.pk != poll.post.author_id
    )


def vote(voter: User, poll: Poll, choices: list[int]) -> Poll:
    """Record a voter's choices. The caller checked the voter may see the post.

    Refused (422): an ended poll, a second vote, an unknown option, several options on a
    single-choice poll. The author may vote on its own poll, as in Mastodon."""
    if not choices:
        raise ValidationFailed("Validation failed: choices can't be blank")
    if any(choice < 0 or choice >= len(poll.options) for choice in choices):
        raise ValidationFailed("Validation failed: choice is out of range")
    if len(set(choices)) > 1 and not poll.multiple:
        raise ValidationFailed("Validation failed: this poll allows one choice only")
    with transaction.atomic():
        # The lock makes "already voted" hold for two votes sent at once.
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.expired:
            raise ValidationFailed("Validation failed: The poll has already ended")
        if poll.votes.filter(user=voter).exists():
            raise ValidationFailed("Validation failed: You have already voted on this poll")
        try:
            PollVote.objects.bulk_create(
                [PollVote(poll=poll, user=voter, choice=c) for c in sorted(set(choices))]
            )
        except IntegrityError:
            raise ValidationFailed(
                "Validation failed: You have already voted on this poll"
            ) from None
    return poll


def notify_ended_polls(now: datetime | None = None) -> int:
    """Tell the author and the voters of each poll that ended (Mastodon's ``poll``
    notification). Run by the worker's periodic jobs; safe to run twice or concurrently:
    each poll is claimed by one run, and notifications dedupe. Returns the polls done."""
    from parley.notifications.services import notify

    now = now or timezone.now()
    done = 0
    ended = Poll.objects.filter(expires_at__lte=now, ended_notified_at__isnull=True)
    for poll in ended.select_related("post", "post__author")[:500]:
        with transaction.atomic():
            claimed = Poll.objects.filter(pk=poll.pk, ended_notified_at__isnull=True).update(
                ended_notified_at=now
            )
            if not claimed:
                continue
            done += 1
            post = poll.post
            if post.state != PostState.PUBLISHED:
                continue  # a held, removed or deleted post's poll ends silently
            author = post.author
            notify(recipient=author, actor=author, kind="poll", post=post)
            voter_ids = set(poll.votes.values_list("user_id", flat=True)) - {author.pk}
            for voter in User.objects.filter(pk__in=voter_ids, is_active=True):
                notify(recipient=voter, actor=author, kind="poll", post=post)
    return done
