"""Mastodon.py and what used to be refused (issue 10): scheduled posts now work."""

from datetime import UTC, datetime, timedelta

import pytest
from mastodon.errors import MastodonAPIError

from parley.posts.models import Post
from parley.posts.scheduled import publish_due
from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_scheduled_posts_through_mastodon_py(live_server, make_member):
    make_member("erin")
    api = client_for(live_server, "erin@example.org")
    later = datetime.now(UTC) + timedelta(days=1)
    scheduled = api.status_post("tomorrow", scheduled_at=later, visibility="unlisted")
    assert scheduled.params.text == "tomorrow" and scheduled.params.visibility == "unlisted"
    assert abs(scheduled.scheduled_at - later) < timedelta(seconds=1)
    assert not Post.objects.exists()
    assert [s.id for s in api.scheduled_statuses()] == [scheduled.id]

    moved = api.scheduled_status_update(scheduled.id, later + timedelta(hours=1))
    assert abs(moved.scheduled_at - later - timedelta(hours=1)) < timedelta(seconds=1)
    with pytest.raises(MastodonAPIError, match="must be in the future"):
        api.status_post("too soon", scheduled_at=datetime.now(UTC) + timedelta(minutes=2))

    # The worker's periodic job publishes it once its time has come.
    assert publish_due(later + timedelta(hours=2)) == 1
    [status] = api.account_statuses(api.me().id)
    assert status.content == "<p>tomorrow</p>" and status.visibility == "unlisted"
    assert api.scheduled_statuses() == []

    other = api.status_post("cancel me", scheduled_at=later)
    api.scheduled_status_delete(other.id)
    assert api.scheduled_statuses() == []
    assert publish_due(later + timedelta(hours=2)) == 0
    assert api.account_update_credentials(locked=False).locked is False


def test_editing_a_poll_through_mastodon_py(live_server, make_member):
    make_member("erin")
    api = client_for(live_server, "erin@example.org")
    status = api.status_post("Tea or coffee?", poll=api.make_poll(["tea", "coffee"], 3600))
    api.poll_vote(status.poll.id, [0])
    same = api.status_update(status.id, "Tea or coffee, really?",
                             poll=api.make_poll(["tea", "coffee"], 7200))
    assert same.poll.votes_count == 1 and same.poll.own_votes == [0]
    changed = api.status_update(status.id, "Tea, coffee or water?",
                                poll=api.make_poll(["tea", "coffee", "water"], 7200))
    assert [o.title for o in changed.poll.options] == ["tea", "coffee", "water"]
    assert changed.poll.votes_count == 0 and changed.poll.voted is False
    with pytest.raises(MastodonAPIError, match="different"):
        api.status_update(status.id, "x", poll=api.make_poll(["a", "a"], 3600))
    assert api.status(status.id).poll.options[2].title == "water"
