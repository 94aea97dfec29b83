"""Followed hashtags (their public posts join home) and featured hashtags on profiles."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from parley.accounts import services as accounts
from parley.posts import services as posts
from parley.posts.models import PostState

pytestmark = pytest.mark.django_db


def _home_texts(client) -> list[str]:
    return [s["content"] for s in client.get("/api/v1/timelines/home").json()]


def test_following_a_tag_brings_its_public_posts_home(make_member, api_for, publish):
    alice, bob = make_member("alice"), make_member("bob")
    client = api_for(alice)
    publish(bob, "Sourdough day #baking")
    publish(bob, "Unrelated musing")
    publish(bob, "quiet #baking", visibility="unlisted")
    assert not any("Sourdough" in t for t in _home_texts(client))

    followed = client.post("/api/v1/tags/Baking/follow")
    assert followed.status_code == 200
    assert followed.json()["name"] == "baking"
    assert followed.json()["following"] is True

    home = _home_texts(client)
    assert any("Sourdough day" in t for t in home)
    assert not any("Unrelated" in t for t in home)
    assert not any("quiet" in t for t in home)  # only public posts come by tag

    listed = client.get("/api/v1/followed_tags")
    assert [t["name"] for t in listed.json()] == ["baking"]
    assert listed.json()[0]["following"] is True

    assert client.post("/api/v1/tags/baking/unfollow").json()["following"] is False
    assert client.get("/api/v1/followed_tags").json() == []
    assert not any("Sourdough" in t for t in _home_texts(client))


def test_followed_tags_leave_out_blocked_muted_and_held_posts(make_member, api_for, publish):
    alice, bob, carol = make_member("alice"), make_member("bob"), make_member("carol")
    client = api_for(alice)
    client.post("/api/v1/tags/baking/follow")
    publish(bob, "bob bakes #baking")
    held = publish(carol, "carol bakes #baking")
    posts.transition_post(held, PostState.HELD)
    accounts.mute(alice, bob)
    home = _home_texts(client)
    assert not any("bakes" in t for t in home)
    accounts.unmute(alice, bob)
    accounts.block(bob, alice)
    assert not any("bakes" in t for t in _home_texts(client))


def test_a_tag_shows_its_week_of_use_and_whether_you_follow_it(make_member, api_for, publish):
    alice, bob = make_member("alice"), make_member("bob")
    publish(bob, "one #gardening")
    publish(bob, "two #gardening")
    publish(alice, "three #gardening")
    client = api_for(alice)
    tag = client.get("/api/v1/tags/gardening").json()
    assert tag["name"] == "gardening" and tag["following"] is False
    assert len(tag["history"]) == 7
    today = tag["history"][0]
    assert (today["uses"], today["accounts"]) == ("3", "2")
    assert all(isinstance(day["day"], str) for day in tag["history"])
    public = APIClient().get("/api/v1/tags/gardening").json()
    assert "following" not in public and public["history"][0]["uses"] == "3"
    unused = client.get("/api/v1/tags/neverused").json()
    assert unused["history"][0]["uses"] == "0" and unused["following"] is False
    assert client.get("/api/v1/tags/not-a-tag").status_code == 404


def test_bad_tag_names_and_missing_scopes_are_refused(make_member, api_for):
    alice = make_member("alice")
    bad = api_for(alice).post("/api/v1/tags/%E2%9C%A8/follow")
    assert bad.status_code == 422 and "error" in bad.json()
    read_only = api_for(alice, "read").post("/api/v1/tags/baking/follow")
    assert read_only.status_code == 403
    assert APIClient().get("/api/v1/followed_tags").status_code == 401


def test_featured_tags_count_only_public_posts(make_member, api_for, publish):
    alice, bob = make_member("alice"), make_member("bob")
    client = api_for(alice)
    publish(alice, "first #knitting")
    publish(alice, "second #knitting")
    publish(alice, "followers only #knitting", visibility="private")
    held = publish(alice, "held #knitting")
    posts.transition_post(held, PostState.HELD)
    publish(alice, "a #crochet day")

    suggested = client.get("/api/v1/featured_tags/suggestions").json()
    assert [t["name"] for t in suggested] == ["knitting", "crochet"]

    created = client.post("/api/v1/featured_tags", {"name": "#Knitting"})
    assert created.status_code == 200
    body = created.json()
    assert body["name"] == "knitting" and body["statuses_count"] == 2
    assert len(body["last_status_at"]) == 10  # a date, as Mastodon

    again = client.post("/api/v1/featured_tags", {"name": "knitting"})
    assert again.status_code == 422 and "error" in again.json()
    assert client.post("/api/v1/featured_tags", {"name": "no spaces"}).status_code == 422
    assert client.post("/api/v1/featured_tags", {}).status_code == 422

    assert [t["name"] for t in client.get("/api/v1/featured_tags/suggestions").json()] == [
        "crochet"
    ]
    shown = api_for(bob).get(f"/api/v1/accounts/{alice.pk}/featured_tags").json()
    assert [(t["name"], t["statuses_count"]) for t in shown] == [("knitting", 2)]

    # Another member cannot delete it: not found.
    assert api_for(bob).delete(f"/api/v1/featured_tags/{body['id']}").status_code == 404
    assert client.delete(f"/api/v1/featured_tags/{body['id']}").json() == {}
    assert client.get("/api/v1/featured_tags").json() == []


def test_at_most_ten_featured_tags(make_member, api_for):
    client = api_for(make_member("alice"))
    for n in range(10):
        assert client.post("/api/v1/featured_tags", {"name": f"tag{n}x"}).status_code == 200
    eleventh = client.post("/api/v1/featured_tags", {"name": "onemore"})
    assert eleventh.status_code == 422
