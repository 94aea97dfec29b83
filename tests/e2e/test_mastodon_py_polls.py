"""Polls through Mastodon.py against a live server: post one, vote, read the results, hear
when it ends; a poll whose option holds the post is not readable by others."""

from datetime import timedelta

import pytest
from django.utils import timezone
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from parley.posts.models import Poll
from parley.posts.polls import notify_ended_polls
from parley.safety.screening import services as screening
from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_a_poll_through_mastodon_py(live_server, make_member):
    make_member("alice"), make_member("bob")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")

    status = alice.status_post(
        "Tea or coffee?", poll=alice.make_poll(["tea", "coffee", "water"], expires_in=600,
                                               multiple=True))
    assert [o.title for o in status.poll.options] == ["tea", "coffee", "water"]
    assert status.poll.multiple is True and status.poll.expired is False

    voted = bob.poll_vote(status.poll.id, [0, 2])
    assert voted.own_votes == [0, 2] and voted.voted is True
    with pytest.raises(MastodonAPIError, match="already voted"):
        bob.poll_vote(status.poll.id, [1])

    results = alice.poll(status.poll.id)
    assert [o.votes_count for o in results.options] == [1, 0, 1]
    assert results.voters_count == 1 and results.voted is False
    assert bob.status(status.id).poll.own_votes == [0, 2]

    # The poll ends; the worker's periodic job tells the author and the voter.
    Poll.objects.filter(pk=status.poll.id).update(expires_at=timezone.now() - timedelta(1))
    assert notify_ended_polls() == 1
    for api in (alice, bob):
        [note] = api.notifications(types=["poll"])
        assert note.status.id == status.id and note.status.poll.expired is True
    with pytest.raises(MastodonAPIError, match="ended"):
        alice.poll_vote(status.poll.id, [1])


def test_a_held_post_s_poll_through_mastodon_py(live_server, make_member):
    make_member("alice"), make_member("bob")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")
    screening.add_rule("gloop the council", action="hold", category="violence")
    status = alice.status_post("Pick one", poll=alice.make_poll(
        ["fine", "gloop the council"], expires_in=600))
    assert status.parley.pending_review is True
    assert alice.poll(status.poll.id).options[0].title == "fine"
    with pytest.raises(MastodonNotFoundError):
        bob.poll(status.poll.id)
    with pytest.raises(MastodonNotFoundError):
        bob.poll_vote(status.poll.id, [0])
