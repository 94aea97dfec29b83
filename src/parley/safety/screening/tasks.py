"""Background screening: heavier optional detectors run after a post is distributed."""

from __future__ import annotations

from django_tasks import task

from parley.posts.models import Post, PostState


@task(queue_name="safety")
def screen_post_in_background(post_id: int) -> str:
    """Run the background tier on a published post; it may open a case. Safe to run twice."""
    from parley.safety.screening import pipeline

    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None or post.state != PostState.PUBLISHED:
        return "skipped"
    return pipeline.screen_in_background(post)
