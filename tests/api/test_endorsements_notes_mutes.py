"""Endorsed accounts, private notes on accounts and mutes with a duration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from parley.accounts import services as accounts
from parley.accounts.models import Mute
from parley.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_endorse_only_accounts_you_follow(make_member, api_for):
    alice, bob, carol = make_member("alice"), make_member("bob"), make_member("carol")
    client = api_for(alice)
    refused = client.post(f"/api/v1/accounts/{bob.pk}/pin")
    assert refused.status_code == 422 and "error" in refused.json()

    accounts.follow(alice, bob)
    pinned = client.post(f"/api/v1/accounts/{bob.pk}/pin")
    assert pinned.status_code == 200 and pinned.json()["endorsed"] is True
    relation = client.get(f"/api/v1/accounts/relationships?id[]={bob.pk}").json()[0]
    assert relation["endorsed"] is True

    assert [a["username"] for a in client.get("/api/v1/endorsements").json()] == ["bob"]
    public = APIClient().get(f"/api/v1/accounts/{alice.pk}/endorsements")
    assert [a["username"] for a in public.json()] == ["bob"]
    assert api_for(carol).get(f"/api/v1/accounts/{alice.pk}/endorsements").status_code == 200

    # Unfollowing ends the endorsement, as on Mastodon.
    accounts.unfollow(alice, bob)
    assert client.get("/api/v1/endorsements").json() == []
    accounts.follow(alice, bob)
    client.post(f"/api/v1/accounts/{bob.pk}/pin")
    unpinned = client.post(f"/api/v1/accounts/{bob.pk}/unpin")
    assert unpinned.json()["endorsed"] is False
    assert client.get("/api/v1/endorsements").json() == []


def test_endorsements_need_their_scopes(make_member, api_for):
    alice, bob = make_member("alice"), make_member("bob")
    accounts.follow(alice, bob)
    assert api_for(alice, "read").post(f"/api/v1/accounts/{bob.pk}/pin").status_code == 403
    assert api_for(alice, "write:accounts").post(
        f"/api/v1/accounts/{bob.pk}/pin").status_code == 200
    assert api_for(alice, "write").get("/api/v1/endorsements").status_code == 403
    assert APIClient().get("/api/v1/endorsements").status_code == 401
    assert api_for(alice).post("/api/v1/accounts/999999/pin").status_code == 404


def test_a_note_is_seen_only_by_its_writer(make_member, api_for):
    alice, bob, carol = make_member("alice"), make_member("bob"), make_member("carol")
    client = api_for(alice)
    noted = client.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "met at the fair"})
    assert noted.status_code == 200 and noted.json()["note"] == "met at the fair"
    relation = client.get(f"/api/v1/accounts/relationships?id[]={bob.pk}").json()[0]
    assert relation["note"] == "met at the fair"
    others = api_for(carol).get(f"/api/v1/accounts/relationships?id[]={bob.pk}").json()[0]
    assert others["note"] == ""
    assert client.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": ""}).json()["note"] == ""
    too_long = client.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "x" * 3000})
    assert too_long.status_code == 422
    assert api_for(alice, "read").post(
        f"/api/v1/accounts/{bob.pk}/note", {"comment": "hi"}).status_code == 403


def test_a_mute_with_a_duration_ends_by_itself(make_member, api_for, publish):
    alice, bob = make_member("alice"), make_member("bob")
    accounts.follow(alice, bob)
    client = api_for(alice)
    publish(bob, "bob's morning post")
    muted = client.post(f"/api/v1/accounts/{bob.pk}/mute",
                        {"duration": 3600, "notifications": "false"})
    assert muted.status_code == 200
    assert muted.json()["muting"] is True and muted.json()["muting_notifications"] is False
    listed = client.get("/api/v1/mutes").json()
    assert [a["username"] for a in listed] == ["bob"]
    expires = listed[0]["mute_expires_at"]
    assert expires is not None and expires.endswith("Z")
    assert not client.get("/api/v1/timelines/home").json()

    # Notifications still come with notifications=false.
    accounts.follow(bob, alice)
    assert Notification.objects.filter(recipient=alice, actor=bob).exists()

    Mute.objects.filter(muter=alice).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/mutes").json() == []
    home = client.get("/api/v1/timelines/home").json()
    assert any("morning post" in status["content"] for status in home)
    relation = client.get(f"/api/v1/accounts/relationships?id[]={bob.pk}").json()[0]
    assert relation["muting"] is False


def test_a_mute_forever_hides_notifications_by_default(make_member, api_for):
    alice, bob = make_member("alice"), make_member("bob")
    client = api_for(alice)
    muted = client.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": 0})
    assert muted.json()["muting_notifications"] is True
    assert client.get("/api/v1/mutes").json()[0]["mute_expires_at"] is None
    accounts.follow(bob, alice)
    assert not Notification.objects.filter(recipient=alice, actor=bob).exists()
    for bad in ("-5", "soon"):
        refused = client.post(f"/api/v1/accounts/{bob.pk}/mute", {"duration": bad})
        assert refused.status_code == 422 and "error" in refused.json()


def test_domain_blocks_are_always_empty(make_member, api_for):
    client = api_for(make_member("alice"))
    assert client.get("/api/v1/domain_blocks").json() == []
    assert APIClient().get("/api/v1/domain_blocks").status_code == 401


def test_purging_an_account_erases_its_notes_tags_and_endorsements(make_member, api_for):
    from parley.accounts import deletion
    from parley.social.models import AccountNote, Endorsement, FeaturedTag, TagFollow

    alice, bob = make_member("alice", discoverable=True), make_member("bob")
    accounts.follow(alice, bob)
    client = api_for(alice)
    client.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "private thought"})
    client.post(f"/api/v1/accounts/{bob.pk}/pin")
    client.post("/api/v1/tags/baking/follow")
    client.post("/api/v1/featured_tags", {"name": "baking"})
    deletion.purge_account(alice)
    assert not AccountNote.objects.filter(owner=alice).exists()
    assert not Endorsement.objects.filter(owner=alice).exists()
    assert not TagFollow.objects.filter(user=alice).exists()
    assert not FeaturedTag.objects.filter(user=alice).exists()
    assert APIClient().get("/api/v1/directory").json() == []
