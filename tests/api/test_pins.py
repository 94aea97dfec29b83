"""Pins: an author features up to five of its own public or unlisted posts on its profile."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from parley.posts import services as posts
from parley.posts.models import PostState

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    return [s["id"] for s in response.json()]


def test_pin_shows_on_the_profile_and_marks_the_status(member, other_member, api_for, publish):
    client = api_for(member)
    first = publish(member, "my best post")
    publish(member, "another one")

    pinned = client.post(f"/api/v1/statuses/{first.pk}/pin")

    assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    assert ids(client.get(f"/api/v1/accounts/{member.pk}/statuses", {"pinned": "true"})) == [
        str(first.pk)]
    other = api_for(other_member)
    assert ids(other.get(f"/api/v1/accounts/{member.pk}/statuses?pinned=true")) == [
        str(first.pk)]
    # ``pinned`` is the author's flag only, as Mastodon.
    assert other.get(f"/api/v1/statuses/{first.pk}").json()["pinned"] is False

    unpinned = client.post(f"/api/v1/statuses/{first.pk}/unpin")
    assert unpinned.json()["pinned"] is False
    assert client.get(f"/api/v1/accounts/{member.pk}/statuses?pinned=true").json() == []


def test_at_most_five_pins(member, api_for, publish):
    client = api_for(member)
    made = [publish(member, f"post {i}") for i in range(6)]
    for post in made[:5]:
        assert client.post(f"/api/v1/statuses/{post.pk}/pin").status_code == 200
    refused = client.post(f"/api/v1/statuses/{made[5].pk}/pin")
    assert refused.status_code == 422 and "error" in refused.json()
    # Pinning one already pinned is fine.
    assert client.post(f"/api/v1/statuses/{made[0].pk}/pin").status_code == 200


def test_only_own_public_or_unlisted_posts(member, other_member, api_for, publish):
    client = api_for(member)
    theirs = publish(other_member, "not yours")
    private = publish(member, "followers only", visibility="private")
    direct = publish(member, "@bob hush", visibility="direct")
    unlisted = publish(member, "quiet", visibility="unlisted")
    echo = publish(member, "", reblog_of=theirs)

    assert client.post(f"/api/v1/statuses/{theirs.pk}/pin").status_code == 422
    assert client.post(f"/api/v1/statuses/{private.pk}/pin").status_code == 422
    assert client.post(f"/api/v1/statuses/{direct.pk}/pin").status_code == 422
    assert client.post(f"/api/v1/statuses/{echo.pk}/pin").status_code == 422
    assert client.post(f"/api/v1/statuses/{unlisted.pk}/pin").status_code == 200
    assert api_for(other_member).post(
        f"/api/v1/statuses/{unlisted.pk}/unpin").status_code == 422
    assert client.post("/api/v1/statuses/99999999/pin").status_code == 404


def test_a_held_or_removed_pinned_post_never_shows_to_others(
        member, other_member, api_for, publish):
    held, removed = publish(member, "pinned then held"), publish(member, "pinned then removed")
    client = api_for(member)
    for post in (held, removed):
        client.post(f"/api/v1/statuses/{post.pk}/pin")
    posts.transition_post(held, PostState.HELD)
    posts.transition_post(removed, PostState.REMOVED)

    path = f"/api/v1/accounts/{member.pk}/statuses?pinned=true"
    assert api_for(other_member).get(path).json() == []
    assert APIClient().get(path).json() == []
    assert ids(client.get(path)) == [str(held.pk)]  # the author still sees its held post


def test_pin_needs_write_accounts(member, api_for, publish):
    post = publish(member, "scoped")
    assert api_for(member, "read").post(f"/api/v1/statuses/{post.pk}/pin").status_code == 403
    assert api_for(member, "write:accounts").post(
        f"/api/v1/statuses/{post.pk}/pin").status_code == 200
