"""What happens when a post is distributed (notifications), the re-queue of posts whose
fan-out never finished (a worker crashed, a task was lost), and members' markers and lists."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from parley.accounts.models import Follow, User
from parley.core.errors import Conflict, NotFound, ValidationFailed
from parley.notifications.services import notify
from parley.posts.models import Post, PostState
from parley.timelines.models import (
    ConversationMark,
    List,
    ListMember,
    Marker,
    MarkerTimeline,
    RepliesPolicy,
)

log = logging.getLogger(__name__)
REQUEUE_BATCH = 200
_given_up: set[int] = set()  # logged once per process, not at every run


def deliver_notifications(post: Post) -> None:
    if post.reblog_of_id:
        notify(
            recipient=post.reblog_of.author, actor=post.author, kind="reblog", post=post.reblog_of
        )
        return
    for member in post.mentions.all():
        notify(recipient=member, actor=post.author, kind="mention", post=post)


def overdue_undistributed_posts(now: datetime | None = None) -> QuerySet[Post]:
    """Published posts fan-out has not finished within ``PARLEY_DISTRIBUTION_GRACE``."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.PARLEY_DISTRIBUTION_GRACE)
    since = Q(state_changed_at__isnull=True, created_at__lt=cutoff) | Q(state_changed_at__lt=cutoff)
    return Post.objects.filter(since, state=PostState.PUBLISHED, distributed_at__isnull=True)


_held_fan_outs: ContextVar[list[int] | None] = ContextVar("held_fan_outs", default=None)


@contextmanager
def fan_outs_held() -> Iterator[list[int]]:
    """Collect the ids of posts committed inside the block instead of queueing a fan-out
    task for each, for ``distribute_in_bulk`` to distribute after it. Used for generated
    or imported posts (the load bench): thousands of posts, one task each, would keep the
    worker busy for hours. A process that dies before distributing them leaves them
    undistributed, and ``requeue_undistributed_posts`` queues them one by one later."""
    held: list[int] = []
    token = _held_fan_outs.set(held)
    try:
        yield held
    finally:
        _held_fan_outs.reset(token)


def queue_fan_out(post_id: int, screen: bool = True, *, tried: int = 0) -> None:
    """Queue the fan-out of a committed post (``tried``: fan-out tasks queued before)."""
    from parley.core.taskqueue import uses_database_queue

    held = _held_fan_outs.get()
    if held is not None and screen and not tried:
        held.append(post_id)
        return
    from parley.timelines.tasks import distribute_post

    result = distribute_post.enqueue(post_id, screen)
    if not uses_database_queue():  # there, the task rows say it all
        _remember_fan_out_task(post_id, result.id, tried + 1)


def distribute_in_bulk(post_ids: list[int]) -> dict[str, int]:
    """Fan out many committed posts at once (those ``fan_outs_held`` collected): the
    accurate screening tier in batches (``screen_posts_before_distribution``, which holds
    and opens cases as the one-by-one fan-out does), then the rest are marked distributed
    in one update with their notifications. Home feeds on Redis of the authors' followers
    are dropped, not written: the next read rebuilds each from the database. No stream
    events: these posts are not news to anyone connected. Safe to run twice (only
    published, undistributed posts are taken). Counts by outcome."""
    from parley.safety.screening import pipeline

    posts = list(Post.objects.select_related("author", "poll").prefetch_related("mentions")
                 .filter(pk__in=post_ids, state=PostState.PUBLISHED,
                         distributed_at__isnull=True))
    outcomes = pipeline.screen_posts_before_distribution(posts)
    ready = [p for p in posts if outcomes[p.pk] != "hold"]
    _forget_followers_feeds({p.author_id for p in ready})
    with transaction.atomic():
        # Locked, so a post a moderator removes meanwhile is neither marked nor announced.
        marked = set(Post.objects.select_for_update().filter(
            pk__in=[p.pk for p in ready], state=PostState.PUBLISHED, distributed_at__isnull=True,
        ).values_list("pk", flat=True))
        Post.objects.filter(pk__in=marked).update(distributed_at=timezone.now())
        for post in ready:
            if post.pk in marked and (post.reblog_of_id or post.mentions.all()):
                deliver_notifications(post)
    return {"distributed": len(marked), "held": len(posts) - len(ready),
            "skipped": len(set(post_ids)) - len(posts) + len(ready) - len(marked)}


def _forget_followers_feeds(author_ids: set[int]) -> None:
    """Drop the feeds the posts of these authors would be written to. As in
    ``add_to_home_feeds``, an author with more than PARLEY_FANOUT_FOLLOWER_LIMIT followers
    is not fanned out (home reads merge its posts from the database): its followers' feeds
    are left alone."""
    from parley.timelines import feeds

    if not feeds.enabled() or not author_ids:
        return
    counts = (Follow.objects.filter(followee_id__in=author_ids).values("followee_id")
              .annotate(n=Count("pk")).values_list("followee_id", "n"))
    merged = {author for author, n in counts if n > settings.PARLEY_FANOUT_FOLLOWER_LIMIT}
    for author in merged:
        feeds.skip_author(author)
    followers = Follow.objects.filter(followee_id__in=author_ids - merged).values_list(
        "follower_id", flat=True).distinct()
    feeds.forget_many(list(followers))


def requeue_undistributed_posts(now: datetime | None = None) -> int:
    """Queue fan-out again for overdue posts that have no fan-out task waiting or running.

    The post row is the durable record of its fan-out (an outbox): whatever happened to the
    task (a worker killed mid-run, Redis lost, an enqueue that failed after the commit), the
    post stays undistributed until a run commits, and this finds it. Gives up on a post after
    ``PARLEY_DISTRIBUTION_MAX_TASKS`` tasks: it then stays visible to its author only, and
    the log says so."""
    queued = 0
    for post in overdue_undistributed_posts(now).order_by("id").iterator():
        if queued >= REQUEUE_BATCH:
            break
        pending, tried = _fan_out_tasks(post.pk)
        if pending:
            continue
        if tried >= settings.PARLEY_DISTRIBUTION_MAX_TASKS:
            if post.pk not in _given_up:
                _given_up.add(post.pk)
                log.error("post %s: fan-out failed %d times; left undistributed", post.pk, tried)
            continue
        # A post released by a moderator (state changed into published) is not re-screened.
        queue_fan_out(post.pk, post.state_changed_at is None, tried=tried)
        queued += 1
    if queued:
        log.warning("re-queued fan-out of %d undistributed posts", queued)
    return queued


def _fan_out_tasks(post_id: int) -> tuple[bool, int]:
    """(a fan-out task for the post is waiting or running, how many were queued)."""
    from django_tasks_db.compat import TaskResultStatus

    from parley.core.taskqueue import task_runs, uses_database_queue
    from parley.timelines.tasks import distribute_post

    if uses_database_queue():
        runs = task_runs(distribute_post, args__0=post_id)
        pending = bool(runs.get(TaskResultStatus.READY) or runs.get(TaskResultStatus.RUNNING))
        return pending, sum(runs.values())
    return _requeued_task_state(post_id)


def _requeued_task_state(post_id: int) -> tuple[bool, int]:
    """On a queue we cannot search by argument (RQ): the last task ``queue_fan_out`` queued."""
    from django.core.cache import cache

    from parley.core.taskqueue import rq_job_pending, uses_rq

    record = cache.get(f"fanout-task:{post_id}")
    if not record:
        return False, 0
    result_id, tried = record
    if not uses_rq():  # a backend that keeps no results runs tasks at once
        return False, tried
    grace = timedelta(seconds=settings.PARLEY_DISTRIBUTION_GRACE)
    return rq_job_pending(result_id, grace), tried


def _remember_fan_out_task(post_id: int, result_id: str, tried: int) -> None:
    from django.core.cache import cache

    cache.set(f"fanout-task:{post_id}", (result_id, tried), timeout=86400)


# -- home feeds on Redis (scaled mode) ------------------------------------------------------


def add_to_home_feeds(post: Post) -> None:
    """Fan-out on write: put the post in its author's followers' Redis feeds. Runs before
    the post is marked distributed, so a fan-out killed in between runs again (adding an id
    twice is a no-op). Authors with more than PARLEY_FANOUT_FOLLOWER_LIMIT followers are
    skipped: their posts are merged into home pages from the database."""
    from parley.timelines import feeds

    if not feeds.enabled():
        return
    followers = list(
        Follow.objects.filter(followee_id=post.author_id).values_list("follower_id", flat=True)
    )
    if len(followers) > settings.PARLEY_FANOUT_FOLLOWER_LIMIT:
        feeds.skip_author(post.author_id)
        return
    feeds.add_to_feeds(post.pk, followers)


def rebuild_home_feed(viewer: User) -> None:
    """Fill a member's Redis feed from the database: the newest posts of the accounts it
    follows, but deleted ones. The read filters out what may not be shown (not yet
    distributed, held, removed), which keeps a post whose fan-out passed this feed by while
    it was built, or a removed post that is later restored."""
    from parley.timelines import feeds

    feeds.start_building(viewer.pk)
    followed = Follow.objects.filter(follower=viewer).values("followee_id")
    ids = list(
        Post.objects.filter(author_id__in=followed)
        .exclude(state=PostState.DELETED)
        .order_by("-id")
        .values_list("pk", flat=True)[: settings.PARLEY_HOME_FEED_SIZE]
    )
    feeds.finish_building(viewer.pk, ids)


def forget_home_feed_on_follow(follow: Follow) -> None:
    """A new follow brings the account's older posts into home: rebuild the feed after the
    follow commits (before it, a rebuild could miss the follow)."""
    from parley.timelines import feeds

    if feeds.enabled():
        transaction.on_commit(lambda: feeds.forget(follow.follower_id))


# -- markers -------------------------------------------------------------------------------


class MarkerConflict(Conflict):
    """Another app saved the marker between this save's read and its write."""


def save_markers(user: User, positions: dict[str, int]) -> dict[str, Marker]:
    """Record where ``user`` stopped reading each timeline; each save bumps ``version``.

    As Mastodon (optimistic locking on the version): a save whose marker another app saved
    meanwhile changes nothing, not even the other timelines, and raises MarkerConflict
    (409); the app reads the markers again and retries."""
    unknown = set(positions) - set(MarkerTimeline.values)
    if unknown:
        raise ValidationFailed(f"Validation failed: unknown timeline {sorted(unknown)[0]!r}")
    saved: dict[str, Marker] = {}
    now = timezone.now()
    # The versions this save builds on; each write below holds only if it is still so.
    read = {m.timeline: m for m in Marker.objects.filter(user=user, timeline__in=positions)}
    with transaction.atomic():
        for timeline, last_read_id in positions.items():
            saved[timeline] = _save_marker(user, timeline, last_read_id, read.get(timeline),
                                           now)
    return saved


def _save_marker(user: User, timeline: str, last_read_id: int, read: Marker | None,
                 now: datetime) -> Marker:
    if read is None:
        try:
            with transaction.atomic():
                return Marker.objects.create(user=user, timeline=timeline,
                                             last_read_id=last_read_id, updated_at=now)
        except IntegrityError:
            raise MarkerConflict("Conflict during update, please try again") from None
    changed = Marker.objects.filter(pk=read.pk, version=read.version).update(
        last_read_id=last_read_id, version=F("version") + 1, updated_at=now
    )
    if not changed:
        raise MarkerConflict("Conflict during update, please try again")
    read.refresh_from_db()
    return read


# -- conversations -------------------------------------------------------------------------


def mark_conversation_read(user: User, thread_id: int, last_id: int) -> None:
    """The member has read the conversation up to its last message ``last_id``."""
    mark, _ = ConversationMark.objects.get_or_create(user=user, thread_id=thread_id)
    ConversationMark.objects.filter(pk=mark.pk, read_up_to__lt=last_id).update(
        read_up_to=last_id
    )


def hide_conversation(user: User, thread_id: int, last_id: int) -> None:
    """Delete the conversation from the member's list (not its posts); a newer message
    than ``last_id`` brings it back, as in Mastodon."""
    mark, _ = ConversationMark.objects.get_or_create(user=user, thread_id=thread_id)
    ConversationMark.objects.filter(pk=mark.pk, hidden_up_to__lt=last_id).update(
        hidden_up_to=last_id, read_up_to=max(mark.read_up_to, last_id)
    )


# -- lists ---------------------------------------------------------------------------------


def _checked_list_fields(title: str | None, replies_policy: str | None) -> None:
    if title is not None and not title.strip():
        raise ValidationFailed("Validation failed: Title can't be blank")
    if replies_policy is not None and replies_policy not in RepliesPolicy.values:
        raise ValidationFailed(f"Validation failed: unknown replies_policy {replies_policy!r}")


def create_list(
    owner: User, title: str, *, replies_policy: str | None = None, exclusive: bool = False
) -> List:
    _checked_list_fields(title, replies_policy)
    return List.objects.create(
        owner=owner,
        title=title.strip(),
        replies_policy=replies_policy or RepliesPolicy.LIST,
        exclusive=exclusive,
    )


def update_list(
    a_list: List,
    *,
    title: str | None = None,
    replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> List:
    _checked_list_fields(title, replies_policy)
    if title is not None:
        a_list.title = title.strip()
    if replies_policy is not None:
        a_list.replies_policy = replies_policy
    if exclusive is not None:
        a_list.exclusive = exclusive
    a_list.save()
    return a_list


def delete_list(a_list: List) -> None:
    a_list.delete()


def add_to_list(a_list: List, account_ids: Iterable[int]) -> None:
    """Add accounts the list's owner follows (Mastodon's rule); any other id refuses all."""
    wanted = set(account_ids)
    if not wanted:
        raise ValidationFailed("Validation failed: account_ids can't be blank")
    followed = set(
        Follow.objects.filter(follower=a_list.owner, followee_id__in=wanted).values_list(
            "followee_id", flat=True
        )
    )
    missing = wanted - followed
    if missing - set(User.objects.filter(pk__in=missing).values_list("pk", flat=True)):
        raise NotFound("Record not found")
    if missing:
        raise ValidationFailed("Validation failed: You must be following this account first")
    for account_id in sorted(wanted):
        ListMember.objects.get_or_create(list=a_list, account_id=account_id)


def remove_from_list(a_list: List, account_ids: Iterable[int]) -> None:
    ListMember.objects.filter(list=a_list, account_id__in=list(account_ids)).delete()
