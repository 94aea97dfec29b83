"""Familiar followers, follow suggestions and the profile directory."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from parley.accounts import services as accounts

pytestmark = pytest.mark.django_db


def test_familiar_followers_are_those_you_follow_who_follow_them(make_member, api_for):
    alice, bob, carol, dave = (make_member(n) for n in ("alice", "bob", "carol", "dave"))
    accounts.follow(alice, bob)
    accounts.follow(alice, carol)
    accounts.follow(bob, dave)
    accounts.follow(carol, dave)
    accounts.follow(dave, bob)  # dave follows bob, but alice does not follow dave
    client = api_for(alice)
    answer = client.get(f"/api/v1/accounts/familiar_followers?id[]={dave.pk}&id[]={bob.pk}")
    assert answer.status_code == 200
    by_id = {entry["id"]: {a["username"] for a in entry["accounts"]} for entry in answer.json()}
    assert by_id == {str(dave.pk): {"bob", "carol"}, str(bob.pk): set()}
    assert client.get("/api/v1/accounts/familiar_followers?id[]=x").status_code == 422
    assert api_for(alice, "write").get(
        f"/api/v1/accounts/familiar_followers?id[]={dave.pk}").status_code == 403


def _discoverable(make_member, name, **fields):
    return make_member(name, discoverable=True, **fields)


def test_suggestions_are_friends_of_friends_then_the_most_followed(
        make_member, api_for, publish):
    alice = make_member("alice")
    bob = _discoverable(make_member, "bob")
    carol = _discoverable(make_member, "carol")
    star = _discoverable(make_member, "star")
    hidden = make_member("hidden")  # not discoverable
    blocked = _discoverable(make_member, "blocked")
    muted = _discoverable(make_member, "muted")
    limited = _discoverable(make_member, "limited", silenced=True)
    accounts.follow(alice, bob)
    for friend_of_friend in (carol, hidden, blocked, muted, limited):
        accounts.follow(bob, friend_of_friend)
    for fan in (carol, make_member("fan1"), make_member("fan2")):
        accounts.follow(fan, star)
    publish(star, "star posts often")
    accounts.block(alice, blocked)
    accounts.mute(alice, muted)

    client = api_for(alice)
    found = client.get("/api/v2/suggestions").json()
    names = [s["account"]["username"] for s in found]
    assert names == ["carol", "star"]
    assert found[0]["sources"] == ["friends_of_friends"]
    assert found[1]["sources"] == ["most_followed"]
    assert {s["source"] for s in found} == {"global"}
    assert [a["username"] for a in client.get("/api/v1/suggestions").json()] == names

    assert client.delete(f"/api/v1/suggestions/{carol.pk}").status_code == 200
    assert [s["account"]["username"] for s in client.get("/api/v2/suggestions").json()] == [
        "star"]
    accounts.follow(alice, star)
    assert client.get("/api/v2/suggestions").json() == []
    assert APIClient().get("/api/v2/suggestions").status_code == 401
    assert api_for(alice, "read").delete(f"/api/v1/suggestions/{star.pk}").status_code == 403


def test_the_directory_lists_only_those_who_opt_in(make_member, api_for, publish):
    old = _discoverable(make_member, "old")
    new = _discoverable(make_member, "new")
    make_member("private")
    _discoverable(make_member, "limited", silenced=True)
    publish(old, "old is active")
    anyone = APIClient()
    active = anyone.get("/api/v1/directory").json()
    assert [a["username"] for a in active] == ["old", "new"]
    assert all(a["discoverable"] is True for a in active)
    newest = anyone.get("/api/v1/directory?order=new&local=true").json()
    assert [a["username"] for a in newest] == ["new", "old"]
    assert [a["username"] for a in anyone.get("/api/v1/directory?offset=1&limit=1").json()
            ] == ["new"]
    bad = anyone.get("/api/v1/directory?order=sideways")
    assert bad.status_code == 422 and "error" in bad.json()
    assert anyone.get("/api/v1/directory?limit=abc").status_code == 422
    assert new.pk


def test_members_opt_into_discovery_in_their_profile(make_member, api_for):
    alice = make_member("alice")
    client = api_for(alice)
    assert client.get("/api/v1/accounts/verify_credentials").json()["discoverable"] is False
    updated = client.patch("/api/v1/accounts/update_credentials", {"discoverable": "true"})
    assert updated.json()["discoverable"] is True
    assert updated.json()["source"]["discoverable"] is True
    assert [a["username"] for a in APIClient().get("/api/v1/directory").json()] == ["alice"]
