"""What happens when a post is distributed: notifications to mentioned and echoed people."""

from __future__ import annotations

from parley.notifications.services import notify
from parley.posts.models import Post


def deliver_notifications(post: Post) -> None:
    if post.reblog_of_id:
        notify(
            recipient=post.reblog_of.author, actor=post.author, kind="reblog", post=post.reblog_of
        )
        return
    for member in post.mentions.all():
        notify(recipient=member, actor=post.author, kind="mention", post=post)
