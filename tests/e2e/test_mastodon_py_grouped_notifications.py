"""Grouped notifications (v2) and the unread count, through Mastodon.py."""

import pytest

from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_likes_group_and_the_unread_count_follows_the_marker(live_server, make_member):
    for name in ("alice", "bob", "carol"):
        make_member(name)
    alice, bob, carol = (client_for(live_server, f"{n}@example.org")
                         for n in ("alice", "bob", "carol"))
    post = alice.status_post("Group these likes")
    bob.status_favourite(post.id)
    carol.status_favourite(post.id)
    bob.account_follow(alice.account_verify_credentials().id)

    results = alice.grouped_notifications()
    summary = [(g.type, g.notifications_count) for g in results.notification_groups]
    assert summary == [("follow", 1), ("favourite", 2)]
    likes = results.notification_groups[1]
    assert likes.status_id == post.id
    assert {a.username for a in results.accounts} == {"bob", "carol"}
    assert [s.id for s in results.statuses] == [post.id]

    assert alice.notifications_unread_count().count == 3
    alice.markers_set(["notifications"], [results.notification_groups[0].page_max_id])
    assert alice.notifications_unread_count().count == 0
