"""Fan-out: the background step that releases a post to timelines, search and notifications."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from parley.posts.models import Post, PostState

log = logging.getLogger(__name__)


@task(queue_name="fanout")
def distribute_post(post_id: int, screen: bool = True) -> str:
    """Run the accurate screening tier, then distribute. Safe to run twice."""
    from parley.posts.services import mark_distributed
    from parley.safety.screening import pipeline
    from parley.streaming import services as stream_events
    from parley.timelines.services import add_to_home_feeds, deliver_notifications

    post = Post.objects.select_related("author", "reblog_of").filter(pk=post_id).first()
    if post is None or post.state != PostState.PUBLISHED or post.distributed_at is not None:
        return "skipped"
    if screen and pipeline.screen_before_distribution(post) == "hold":
        return "held"
    add_to_home_feeds(post)  # idempotent; before the mark, so a crash redoes it
    # One transaction: a crash between the two leaves the post undistributed (re-queued
    # later), never distributed with its notifications lost.
    with transaction.atomic():
        if not mark_distributed(post):
            return "skipped"
        deliver_notifications(post)
        stream_events.record_post_distributed(post.pk)
    return "distributed"
