"""Mastodon.py keeps bookmarks, lists, markers and reads preferences against a live server."""

import pytest
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_bookmarks_through_mastodon_py(live_server, make_member):
    make_member("alice"), make_member("bob")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")
    posts = [alice.status_post(f"note {n}") for n in range(3)]

    for post in posts:
        assert bob.status_bookmark(post.id).bookmarked is True
    first_page = bob.bookmarks(limit=2)
    assert [s.id for s in first_page] == [posts[2].id, posts[1].id]
    second_page = bob.fetch_next(first_page)
    assert [s.id for s in second_page] == [posts[0].id]
    assert bob.status(posts[0].id).bookmarked is True
    assert alice.bookmarks() == []

    assert bob.status_unbookmark(posts[0].id).bookmarked is False
    assert [s.id for s in bob.bookmarks()] == [posts[2].id, posts[1].id]


def test_lists_through_mastodon_py(live_server, make_member):
    make_member("carol"), make_member("dave"), make_member("erin")
    carol = client_for(live_server, "carol@example.org")
    dave = client_for(live_server, "dave@example.org")
    erin = client_for(live_server, "erin@example.org")
    dave_id = dave.account_verify_credentials().id
    erin_id = erin.account_verify_credentials().id
    carol.account_follow(dave_id)

    friends = carol.list_create("Friends", replies_policy="none", exclusive=False)
    assert friends.title == "Friends" and friends.replies_policy == "none"
    carol.list_accounts_add(friends.id, [dave_id])
    with pytest.raises(MastodonAPIError, match="following"):
        carol.list_accounts_add(friends.id, [erin_id])
    assert [a.id for a in carol.list_accounts(friends.id)] == [dave_id]
    assert [lst.id for lst in carol.account_lists(dave_id)] == [friends.id]

    news = dave.status_post("dave's news")
    erin.status_post("erin's news")
    assert [s.id for s in carol.timeline_list(friends.id)] == [news.id]

    renamed = carol.list_update(friends.id, "Pals", replies_policy="list")
    assert (renamed.title, renamed.replies_policy) == ("Pals", "list")
    assert [lst.title for lst in carol.lists()] == ["Pals"]
    with pytest.raises(MastodonNotFoundError):
        erin.timeline_list(friends.id)

    carol.list_accounts_delete(friends.id, [dave_id])
    assert carol.list_accounts(friends.id) == []
    carol.list_delete(friends.id)
    assert carol.lists() == []


def test_markers_and_preferences_through_mastodon_py(live_server, make_member):
    make_member("frank")
    frank = client_for(live_server, "frank@example.org")
    post = frank.status_post("read up to here")

    assert frank.markers_get("home") == {}
    saved = frank.markers_set(["home", "notifications"], [post.id, 5])
    assert str(saved.home.last_read_id) == str(post.id)
    again = frank.markers_set("home", post.id)
    assert again.home.version == 1
    markers = frank.markers_get(["home", "notifications"])
    assert str(markers.home.last_read_id) == str(post.id)
    assert str(markers.notifications.last_read_id) == "5"

    prefs = frank.preferences()
    assert prefs["posting:default:visibility"] == "public"
    assert prefs["reading:expand:spoilers"] is False
