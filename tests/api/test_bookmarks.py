"""Bookmarks: a member keeps posts to read later; nobody else sees or changes them."""

from __future__ import annotations

import re

import pytest

from parley.accounts import services as accounts
from parley.posts import services as posts
from parley.posts.models import Bookmark, PostState

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    return [s["id"] for s in response.json()]


def test_a_bookmarked_post_is_listed_and_marked(member, other_member, api_for, publish):
    post = publish(other_member, "worth reading later")
    client = api_for(member)

    kept = client.post(f"/api/v1/statuses/{post.pk}/bookmark")

    assert kept.status_code == 200
    assert kept.json()["bookmarked"] is True
    assert ids(client.get("/api/v1/bookmarks")) == [str(post.pk)]
    assert client.get(f"/api/v1/statuses/{post.pk}").json()["bookmarked"] is True
    home = api_for(other_member).get(f"/api/v1/statuses/{post.pk}").json()
    assert home["bookmarked"] is False  # the flag is the viewer's own


def test_unbookmarking_removes_it_and_both_are_idempotent(member, other_member, api_for, publish):
    post = publish(other_member, "read me")
    client = api_for(member)
    client.post(f"/api/v1/statuses/{post.pk}/bookmark")
    client.post(f"/api/v1/statuses/{post.pk}/bookmark")
    assert Bookmark.objects.count() == 1

    gone = client.post(f"/api/v1/statuses/{post.pk}/unbookmark")
    again = client.post(f"/api/v1/statuses/{post.pk}/unbookmark")

    assert gone.json()["bookmarked"] is False
    assert again.status_code == 200
    assert client.get("/api/v1/bookmarks").json() == []


def test_bookmarking_an_echo_keeps_the_original(member, other_member, make_member, api_for,
                                                publish):
    post = publish(other_member, "echo this")
    echo = publish(make_member("carol"), "", reblog_of=post)
    client = api_for(member)

    response = client.post(f"/api/v1/statuses/{echo.pk}/bookmark").json()

    assert response["bookmarked"] is True and response["reblog"]["bookmarked"] is True
    assert ids(client.get("/api/v1/bookmarks")) == [str(post.pk)]
    client.post(f"/api/v1/statuses/{echo.pk}/unbookmark")
    assert client.get("/api/v1/bookmarks").json() == []


def test_newest_bookmark_first_paged_by_bookmark_ids(member, other_member, api_for, publish):
    first, second, third = (publish(other_member, f"post {n}") for n in range(3))
    client = api_for(member)
    for post in (second, third, first):  # bookmarked in this order
        client.post(f"/api/v1/statuses/{post.pk}/bookmark")

    page = client.get("/api/v1/bookmarks?limit=2")

    assert ids(page) == [str(first.pk), str(third.pk)]
    next_url = re.search(r'<([^>]+)>; rel="next"', page["Link"]).group(1)
    rest = client.get(next_url.replace("http://testserver", ""))
    assert ids(rest) == [str(second.pk)]
    prev_url = re.search(r'<([^>]+)>; rel="prev"', rest["Link"]).group(1)
    assert ids(client.get(prev_url.replace("http://testserver", ""))) == [
        str(first.pk), str(third.pk)]


def test_a_held_post_leaves_bookmarks_until_released(member, other_member, api_for, publish):
    post = publish(other_member, "later held")
    client = api_for(member)
    client.post(f"/api/v1/statuses/{post.pk}/bookmark")

    posts.transition_post(post, PostState.HELD)
    assert client.get("/api/v1/bookmarks").json() == []
    posts.transition_post(post, PostState.PUBLISHED)
    assert ids(client.get("/api/v1/bookmarks")) == [str(post.pk)]


def test_a_followers_only_post_leaves_bookmarks_after_unfollowing(member, other_member,
                                                                  api_for, publish):
    accounts.follow(member, other_member)
    post = publish(other_member, "for my followers", visibility="private")
    client = api_for(member)
    assert client.post(f"/api/v1/statuses/{post.pk}/bookmark").status_code == 200

    accounts.unfollow(member, other_member)

    assert client.get("/api/v1/bookmarks").json() == []
    # The bookmark is still the member's own to drop; the post is not shown.
    assert client.post(f"/api/v1/statuses/{post.pk}/unbookmark").status_code == 404
    assert not Bookmark.objects.exists()


def test_a_post_one_may_not_see_cannot_be_bookmarked(member, other_member, make_member,
                                                     api_for, publish):
    dm = publish(other_member, "@carol secret", visibility="direct")
    make_member("carol")
    response = api_for(member).post(f"/api/v1/statuses/{dm.pk}/bookmark")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    assert not Bookmark.objects.exists()


def test_others_neither_see_nor_change_my_bookmarks(member, other_member, api_for, publish):
    post = publish(other_member, "mine to keep")
    alice = api_for(member)
    alice.post(f"/api/v1/statuses/{post.pk}/bookmark")
    bob = api_for(other_member)

    assert bob.get("/api/v1/bookmarks").json() == []
    bob.post(f"/api/v1/statuses/{post.pk}/unbookmark")

    assert ids(alice.get("/api/v1/bookmarks")) == [str(post.pk)]


@pytest.mark.parametrize(("method", "path", "scope", "expected"), [
    ("get", "/api/v1/bookmarks", "read:bookmarks", 200),
    ("get", "/api/v1/bookmarks", "read", 200),
    ("get", "/api/v1/bookmarks", "read:statuses", 403),
    ("get", "/api/v1/bookmarks", "write:bookmarks", 403),
    ("post", "/api/v1/statuses/{post}/bookmark", "write:bookmarks", 200),
    ("post", "/api/v1/statuses/{post}/bookmark", "write:statuses", 403),
    ("post", "/api/v1/statuses/{post}/unbookmark", "read:bookmarks", 403),
    ("post", "/api/v1/statuses/{post}/unbookmark", "write", 200),
])
def test_bookmarks_need_the_bookmarks_scopes(member, other_member, api_for, publish,
                                             method, path, scope, expected):
    post = publish(other_member, "scoped")
    response = getattr(api_for(member, scope), method)(path.format(post=post.pk))
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == {"error": "This action is outside the authorized scopes"}


def test_bookmarks_need_a_token(db, client):
    assert client.get("/api/v1/bookmarks").status_code == 401
    assert client.post("/api/v1/statuses/1/bookmark").status_code == 401


def test_bad_ids_and_paging_values_answer_in_mastodon_errors(member, api_for):
    client = api_for(member)
    missing = client.post("/api/v1/statuses/99999999999999999999999/bookmark")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    bad = client.get("/api/v1/bookmarks?max_id=abc")
    assert bad.status_code == 422 and "max_id" in bad.json()["error"]
