"""The worker's periodic loop tells a poll's author and voters that it ended, once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from parley.core.management.commands.worker import run_jobs_forever
from parley.notifications.models import Notification
from parley.posts import polls
from parley.posts import services as posts
from parley.posts.models import Poll, PostState
from parley.posts.polls import PollSpec

pytestmark = pytest.mark.django_db(transaction=True)


class Once(threading.Event):
    """Stops the loop after its first run."""

    def wait(self, timeout=None) -> bool:
        self.set()
        return True


def _ended(poll: Poll) -> None:
    Poll.objects.filter(pk=poll.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_the_worker_loop_notifies_the_author_and_voters(member, other_member):
    post = posts.create_post(member, "Ends", poll=PollSpec(["a", "b"], 300))
    polls.vote(other_member, post.poll, [1])
    _ended(post.poll)

    run_jobs_forever(60, Once())
    run_jobs_forever(60, Once())  # a second run (or worker) adds nothing

    notes = Notification.objects.filter(kind="poll", post=post)
    assert sorted(n.recipient_id for n in notes) == sorted([member.pk, other_member.pk])


def test_a_held_post_s_poll_ends_without_notices(member, other_member):
    post = posts.create_post(member, "Ends", poll=PollSpec(["a", "b"], 300))
    polls.vote(other_member, post.poll, [0])
    posts.transition_post(post, PostState.HELD)
    _ended(post.poll)

    assert polls.notify_ended_polls() == 1
    assert not Notification.objects.filter(kind="poll").exists()
    assert Poll.objects.get(pk=post.poll.pk).ended_notified_at is not None


def test_the_web_notifications_page_says_the_poll_ended(member, other_member, client):
    post = posts.create_post(member, "Ends", poll=PollSpec(["a", "b"], 300))
    polls.vote(other_member, post.poll, [1])
    _ended(post.poll)
    polls.notify_ended_polls()
    client.force_login(other_member)
    page = client.get("/notifications").content.decode()
    assert "A poll you voted in has ended" in page
    client.force_login(member)
    assert "A poll you made has ended" in client.get("/notifications").content.decode()
