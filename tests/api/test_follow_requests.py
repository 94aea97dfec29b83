"""Locked accounts: following one asks first; the account authorizes or rejects, and its
followers-only posts reach a requester only once authorized."""

from __future__ import annotations

import pytest

from parley.accounts import services as accounts
from parley.accounts.models import Follow, FollowRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(member, api_for):
    """alice locks her account through the API."""
    response = api_for(member).patch(
        "/api/v1/accounts/update_credentials", {"locked": "true"}
    )
    assert response.status_code == 200 and response.json()["locked"] is True
    member.refresh_from_db()
    return member


def test_following_a_locked_account_is_a_pending_request(locked, other_member, api_for):
    bob = api_for(other_member)
    relation = bob.post(f"/api/v1/accounts/{locked.pk}/follow").json()
    assert relation["following"] is False and relation["requested"] is True
    assert not Follow.objects.filter(follower=other_member, followee=locked).exists()

    alice = api_for(locked)
    kinds = [(n["type"], n["account"]["username"])
             for n in alice.get("/api/v1/notifications").json()]
    assert kinds == [("follow_request", "bob")]
    assert [a["username"] for a in alice.get("/api/v1/follow_requests").json()] == ["bob"]
    me = alice.get("/api/v1/accounts/verify_credentials").json()
    assert me["locked"] is True and me["source"]["follow_requests_count"] == 1
    seen_by_alice = alice.get(f"/api/v1/accounts/relationships?id[]={other_member.pk}").json()
    assert seen_by_alice[0]["requested_by"] is True
    assert alice.get(f"/api/v1/accounts/{locked.pk}").json()["locked"] is True


def test_authorizing_makes_a_follower_and_clears_the_request(locked, other_member, api_for):
    api_for(other_member).post(f"/api/v1/accounts/{locked.pk}/follow")
    alice = api_for(locked)
    relation = alice.post(f"/api/v1/follow_requests/{other_member.pk}/authorize").json()
    assert relation["followed_by"] is True and relation["requested_by"] is False
    assert alice.get("/api/v1/follow_requests").json() == []
    assert alice.get("/api/v1/notifications").json() == []
    bob_sees = api_for(other_member).get(f"/api/v1/accounts/relationships?id[]={locked.pk}")
    assert bob_sees.json()[0]["following"] is True and bob_sees.json()[0]["requested"] is False


def test_rejecting_leaves_no_follow(locked, other_member, api_for):
    api_for(other_member).post(f"/api/v1/accounts/{locked.pk}/follow")
    alice = api_for(locked)
    relation = alice.post(f"/api/v1/follow_requests/{other_member.pk}/reject").json()
    assert relation["followed_by"] is False and relation["requested_by"] is False
    assert not FollowRequest.objects.exists() and not Follow.objects.exists()
    again = alice.post(f"/api/v1/follow_requests/{other_member.pk}/authorize")
    assert again.status_code == 404 and again.json() == {"error": "Record not found"}


def test_no_one_answers_a_request_made_to_someone_else(locked, other_member, make_member,
                                                       api_for):
    api_for(other_member).post(f"/api/v1/accounts/{locked.pk}/follow")
    carol = api_for(make_member("carol"))
    assert carol.get("/api/v1/follow_requests").json() == []
    response = carol.post(f"/api/v1/follow_requests/{other_member.pk}/authorize")
    assert response.status_code == 404
    assert FollowRequest.objects.count() == 1 and not Follow.objects.exists()


def test_answering_needs_a_write_follows_scope(locked, other_member, api_for):
    api_for(other_member).post(f"/api/v1/accounts/{locked.pk}/follow")
    reader = api_for(locked, "read")
    response = reader.post(f"/api/v1/follow_requests/{other_member.pk}/authorize")
    assert response.status_code == 403
    assert api_for(locked, "write:follows").post(
        f"/api/v1/follow_requests/{other_member.pk}/reject").status_code == 200


def test_follow_requests_are_paged_with_link_headers(locked, make_member, api_for):
    fans = [make_member(f"fan{i}") for i in range(3)]
    for fan in fans:
        accounts.follow(fan, locked)
    alice = api_for(locked)
    first = alice.get("/api/v1/follow_requests?limit=2")
    assert [a["username"] for a in first.json()] == ["fan2", "fan1"]
    next_url = first["Link"].split(">")[0].lstrip("<")
    assert 'rel="next"' in first["Link"]
    rest = alice.get(next_url)
    assert [a["username"] for a in rest.json()] == ["fan0"]


def test_followers_only_posts_wait_for_authorization(locked, other_member, api_for, publish):
    secret = publish(locked, "only my followers read this", visibility="private")
    bob = api_for(other_member)
    bob.post(f"/api/v1/accounts/{locked.pk}/follow")
    assert bob.get(f"/api/v1/statuses/{secret.pk}").status_code == 404
    statuses = bob.get(f"/api/v1/accounts/{locked.pk}/statuses").json()
    assert secret.pk not in [int(s["id"]) for s in statuses]

    api_for(locked).post(f"/api/v1/follow_requests/{other_member.pk}/authorize")
    assert bob.get(f"/api/v1/statuses/{secret.pk}").json()["content"].startswith("<p>only")


def test_unlocking_accepts_the_pending_requests(locked, other_member, make_member, api_for):
    carol = make_member("carol")
    accounts.follow(other_member, locked)
    accounts.follow(carol, locked)
    response = api_for(locked).patch("/api/v1/accounts/update_credentials", {"locked": "false"})
    assert response.json()["locked"] is False
    assert set(Follow.objects.filter(followee=locked).values_list("follower__username",
                                                                  flat=True)) == {"bob", "carol"}
    assert not FollowRequest.objects.exists()


def test_withdrawing_and_blocking_end_a_request(locked, other_member, make_member, api_for):
    bob = api_for(other_member)
    bob.post(f"/api/v1/accounts/{locked.pk}/follow")
    relation = bob.post(f"/api/v1/accounts/{locked.pk}/unfollow").json()
    assert relation["requested"] is False
    assert api_for(locked).get("/api/v1/notifications").json() == []
    bob.post(f"/api/v1/accounts/{locked.pk}/follow")
    accounts.block(locked, other_member)
    assert not FollowRequest.objects.exists()


def test_following_an_unlocked_account_is_immediate(member, other_member, api_for):
    relation = api_for(other_member).post(f"/api/v1/accounts/{member.pk}/follow").json()
    assert relation["following"] is True and relation["requested"] is False
