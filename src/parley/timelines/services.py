"""What happens when a post is distributed (notifications), and the re-queue of posts whose
fan-out never finished (a worker crashed, a task was lost)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from parley.notifications.services import notify
from parley.posts.models import Post, PostState

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


def requeue_undistributed_posts(now: datetime | None = None) -> int:
    """Queue fan-out again for overdue posts that have no fan-out task waiting or running.

    Gives up on a post after ``PARLEY_DISTRIBUTION_MAX_TASKS`` tasks: it then stays visible
    to its author only, and the log says so."""
    from django_tasks_db.compat import TaskResultStatus

    from parley.core.taskqueue import task_runs
    from parley.timelines.tasks import distribute_post

    queued = 0
    for post in overdue_undistributed_posts(now).order_by("id").iterator():
        if queued >= REQUEUE_BATCH:
            break
        runs = task_runs(distribute_post, args__0=post.pk)
        if runs.get(TaskResultStatus.READY) or runs.get(TaskResultStatus.RUNNING):
            continue
        if sum(runs.values()) >= settings.PARLEY_DISTRIBUTION_MAX_TASKS:
            if post.pk not in _given_up:
                _given_up.add(post.pk)
                log.error("post %s: fan-out failed %d times; left undistributed", post.pk,
                          sum(runs.values()))
            continue
        # A post released by a moderator (state changed into published) is not re-screened.
        distribute_post.enqueue(post.pk, post.state_changed_at is None)
        queued += 1
    if queued:
        log.warning("re-queued fan-out of %d undistributed posts", queued)
    return queued
