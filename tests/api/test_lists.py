"""Lists: a member groups accounts it follows and reads them as a timeline of their own."""

from __future__ import annotations

import pytest

from parley.accounts import services as accounts
from parley.posts import services as posts
from parley.posts.models import PostState
from parley.timelines.models import List

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    return [s["id"] for s in response.json()]


@pytest.fixture
def friends(make_member):
    alice, bob, carol = make_member("alice"), make_member("bob"), make_member("carol")
    accounts.follow(alice, bob)
    accounts.follow(alice, carol)
    return alice, bob, carol


def test_create_read_rename_and_delete_a_list(member, api_for):
    client = api_for(member)

    created = client.post("/api/v1/lists", {"title": "Friends", "replies_policy": "followed",
                                            "exclusive": True}, format="json").json()

    assert created == {"id": created["id"], "title": "Friends", "replies_policy": "followed",
                       "exclusive": True}
    assert client.get("/api/v1/lists").json() == [created]
    renamed = client.put(f"/api/v1/lists/{created['id']}", {"title": "Pals"}).json()
    assert renamed == {**created, "title": "Pals"}
    assert client.get(f"/api/v1/lists/{created['id']}").json()["title"] == "Pals"
    assert client.delete(f"/api/v1/lists/{created['id']}").json() == {}
    assert client.get(f"/api/v1/lists/{created['id']}").status_code == 404
    assert client.get("/api/v1/lists").json() == []


def test_a_new_list_shows_replies_to_its_members_by_default(member, api_for):
    created = api_for(member).post("/api/v1/lists", {"title": "News"}).json()
    assert created["replies_policy"] == "list" and created["exclusive"] is False


@pytest.mark.parametrize("body", [
    {"title": ""}, {"title": "   "}, {"title": "x", "replies_policy": "everyone"},
    {"title": "x" * 201}, {"title": ["a", "b"]},
])
def test_bad_list_fields_are_refused(member, api_for, body):
    response = api_for(member).post("/api/v1/lists", body, format="json")
    assert response.status_code == 422
    assert "error" in response.json()
    assert not List.objects.exists()


def test_only_followed_accounts_can_be_added(friends, make_member, api_for):
    alice, bob, carol = friends
    stranger = make_member("dave")
    client = api_for(alice)
    list_id = client.post("/api/v1/lists", {"title": "Pals"}).json()["id"]

    refused = client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [stranger.pk]})
    missing = client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [99999]})
    added = client.post(f"/api/v1/lists/{list_id}/accounts",
                        {"account_ids[]": [bob.pk, carol.pk]})

    assert refused.status_code == 422
    assert refused.json() == {
        "error": "Validation failed: You must be following this account first"}
    assert missing.status_code == 404
    assert added.status_code == 200 and added.json() == {}
    members = client.get(f"/api/v1/lists/{list_id}/accounts").json()
    assert sorted(a["username"] for a in members) == ["bob", "carol"]
    assert client.get(f"/api/v1/accounts/{bob.pk}/lists").json()[0]["id"] == list_id
    assert client.get(f"/api/v1/accounts/{stranger.pk}/lists").json() == []

    client.delete(f"/api/v1/lists/{list_id}/accounts?account_ids[]={carol.pk}")
    members = client.get(f"/api/v1/lists/{list_id}/accounts?limit=0").json()
    assert [a["username"] for a in members] == ["bob"]


def test_unfollowing_takes_an_account_off_its_lists(friends, api_for, publish):
    alice, bob, _ = friends
    client = api_for(alice)
    list_id = client.post("/api/v1/lists", {"title": "Pals"}).json()["id"]
    client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [bob.pk]})
    publish(bob, "hello list")

    accounts.unfollow(alice, bob)

    assert client.get(f"/api/v1/lists/{list_id}/accounts").json() == []
    assert client.get(f"/api/v1/timelines/list/{list_id}").json() == []
    assert client.get(f"/api/v1/accounts/{bob.pk}/lists").json() == []


def test_list_accounts_are_paged(friends, api_for):
    alice, bob, carol = friends
    client = api_for(alice)
    list_id = client.post("/api/v1/lists", {"title": "Pals"}).json()["id"]
    client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [bob.pk]})
    client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [carol.pk]})
    page = client.get(f"/api/v1/lists/{list_id}/accounts?limit=1")
    assert [a["username"] for a in page.json()] == ["carol"]
    assert 'rel="next"' in page["Link"]


def test_the_list_timeline_shows_its_members_posts(friends, make_member, api_for, publish):
    alice, bob, carol = friends
    client = api_for(alice)
    list_id = client.post("/api/v1/lists", {"title": "Bob"}).json()["id"]
    client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [bob.pk]})
    from_bob = publish(bob, "bob's news")
    publish(carol, "carol's news")
    echo = publish(bob, "", reblog_of=publish(make_member("erin"), "erin's"))

    timeline = client.get(f"/api/v1/timelines/list/{list_id}")

    assert ids(timeline) == [str(echo.pk), str(from_bob.pk)]
    assert 'rel="next"' in timeline["Link"]


@pytest.mark.parametrize(("exclusive", "bob_in_home"), [(True, False), (False, True)])
def test_an_exclusive_lists_members_leave_home(friends, api_for, publish, exclusive,
                                                bob_in_home):
    alice, bob, carol = friends
    client = api_for(alice)
    list_id = client.post("/api/v1/lists", {"title": "Bob", "exclusive": exclusive},
                          format="json").json()["id"]
    client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [bob.pk]})
    from_bob, from_carol = publish(bob, "bob's news"), publish(carol, "carol's news")
    own = publish(alice, "alice's own")

    home = ids(client.get("/api/v1/timelines/home"))

    assert (str(from_bob.pk) in home) is bob_in_home
    assert str(from_carol.pk) in home and str(own.pk) in home
    assert ids(client.get(f"/api/v1/timelines/list/{list_id}")) == [str(from_bob.pk)]


@pytest.mark.parametrize(("policy", "shown"), [
    ("list", {"own", "to_self", "to_member"}),
    ("followed", {"own", "to_self", "to_member", "to_followed", "to_owner"}),
    ("none", {"own", "to_self"}),
])
def test_replies_policy_decides_which_replies_show(friends, make_member, api_for, publish,
                                                   policy, shown):
    alice, bob, carol = friends
    dave, stranger = make_member("dave"), make_member("zed")
    accounts.follow(alice, dave)
    client = api_for(alice)
    list_id = client.post("/api/v1/lists", {"title": "x", "replies_policy": policy}).json()["id"]
    client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [bob.pk, carol.pk]})
    own = publish(bob, "own")
    posts_by_kind = {
        "own": own,
        "to_self": publish(bob, "more", in_reply_to=own),
        "to_member": publish(bob, "@carol hi", in_reply_to=publish(carol, "carol")),
        "to_followed": publish(bob, "@dave hi", in_reply_to=publish(dave, "dave")),
        "to_owner": publish(bob, "@alice hi", in_reply_to=publish(alice, "alice")),
        "to_stranger": publish(bob, "@zed hi", in_reply_to=publish(stranger, "zed")),
    }
    got = set(ids(client.get(f"/api/v1/timelines/list/{list_id}?limit=40")))
    expected = {str(posts_by_kind[k].pk) for k in shown}
    by_bob = {str(p.pk) for p in posts_by_kind.values()}
    assert got & by_bob == expected


def test_the_list_timeline_hides_what_the_owner_may_not_see(friends, make_member, api_for,
                                                          publish):
    alice, bob, _ = friends
    client = api_for(alice)
    list_id = client.post("/api/v1/lists", {"title": "Bob"}).json()["id"]
    client.post(f"/api/v1/lists/{list_id}/accounts", {"account_ids[]": [bob.pk]})
    make_member("erin")
    held = publish(bob, "soon held")
    posts.transition_post(held, PostState.HELD)
    dm = publish(bob, "@erin just us", visibility="direct")
    shown = publish(bob, "fine")
    assert ids(client.get(f"/api/v1/timelines/list/{list_id}")) == [str(shown.pk)]
    assert str(dm.pk) not in ids(client.get(f"/api/v1/timelines/list/{list_id}"))


def test_another_member_cannot_read_or_change_my_lists(friends, make_member, api_for):
    alice, bob, _ = friends
    owner = api_for(alice)
    mine = owner.post("/api/v1/lists", {"title": "Secret"}).json()["id"]
    owner.post(f"/api/v1/lists/{mine}/accounts", {"account_ids[]": [bob.pk]})
    mallory = make_member("mallory")
    accounts.follow(mallory, bob)
    other = api_for(mallory)

    assert other.get("/api/v1/lists").json() == []
    for method, path, data in [
        ("get", f"/api/v1/lists/{mine}", None),
        ("put", f"/api/v1/lists/{mine}", {"title": "Owned"}),
        ("delete", f"/api/v1/lists/{mine}", None),
        ("get", f"/api/v1/lists/{mine}/accounts", None),
        ("post", f"/api/v1/lists/{mine}/accounts", {"account_ids[]": [bob.pk]}),
        ("delete", f"/api/v1/lists/{mine}/accounts", {"account_ids[]": [bob.pk]}),
        ("get", f"/api/v1/timelines/list/{mine}", None),
    ]:
        response = getattr(other, method)(path, data)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"error": "Record not found"}
    assert other.get(f"/api/v1/accounts/{bob.pk}/lists").json() == []
    assert List.objects.get().title == "Secret"
    assert List.objects.get().members.count() == 1


@pytest.mark.parametrize(("method", "path", "scope", "expected"), [
    ("get", "/api/v1/lists", "read:lists", 200),
    ("get", "/api/v1/lists", "read:statuses", 403),
    ("post", "/api/v1/lists", "write:lists", 200),
    ("post", "/api/v1/lists", "read:lists", 403),
    ("post", "/api/v1/lists", "write:statuses", 403),
    ("get", "/api/v1/timelines/list/{list}", "read:lists", 200),
    ("get", "/api/v1/timelines/list/{list}", "read:statuses", 403),
    ("put", "/api/v1/lists/{list}", "read:lists", 403),
    ("delete", "/api/v1/lists/{list}", "read", 403),
    ("post", "/api/v1/lists/{list}/accounts", "read:lists", 403),
    ("get", "/api/v1/lists/{list}/accounts", "read:lists", 200),
])
def test_lists_need_the_lists_scopes(member, api_for, method, path, scope, expected):
    a_list = List.objects.create(owner=member, title="mine")
    client = api_for(member, scope)
    response = getattr(client, method)(path.format(list=a_list.pk), {"title": "t"})
    assert response.status_code == expected


def test_lists_need_a_token(db, client):
    assert client.get("/api/v1/lists").status_code == 401
    assert client.get("/api/v1/timelines/list/1").status_code == 401
