"""Fetching several statuses or accounts at once (``id[]``): only what the caller may see."""

from __future__ import annotations

import pytest

from parley.accounts import services as accounts
from parley.posts import services as posts
from parley.posts.models import PostState

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    return [s["id"] for s in response.json()]


def test_statuses_come_back_in_the_order_asked(member, other_member, api_for, publish):
    first, second = publish(other_member, "one"), publish(other_member, "two")
    response = api_for(member).get(
        f"/api/v1/statuses?id[]={second.pk}&id[]={first.pk}&id[]={second.pk}")
    assert response.status_code == 200
    assert ids(response) == [str(second.pk), str(first.pk)]


def test_what_the_caller_may_not_see_is_left_out(member, other_member, make_member, api_for,
                                                 client, publish):
    make_member("carol")
    shown = publish(other_member, "public")
    held = publish(other_member, "held")
    posts.transition_post(held, PostState.HELD)
    dm = publish(other_member, "@carol just us", visibility="direct")
    followers = publish(other_member, "followers only", visibility="private")
    deleted = publish(other_member, "gone")
    posts.delete_post(other_member, deleted)
    query = "&".join(f"id[]={p.pk}" for p in (shown, held, dm, followers, deleted))

    assert ids(api_for(member).get(f"/api/v1/statuses?{query}")) == [str(shown.pk)]
    assert ids(client.get(f"/api/v1/statuses?{query}")) == [str(shown.pk)]
    accounts.follow(member, other_member)
    assert ids(api_for(member, "read").get(f"/api/v1/statuses?{query}")) == [
        str(shown.pk), str(followers.pk)]
    # The author sees its own held post (marked pending), as on its own page.
    own = ids(api_for(other_member).get(f"/api/v1/statuses?{query}"))
    assert str(held.pk) in own and str(deleted.pk) not in own


def test_accounts_by_id(member, other_member, make_member, api_for, client):
    gone = make_member("gone")
    accounts.suspend_account(gone)
    query = f"id[]={other_member.pk}&id[]={gone.pk}&id[]={member.pk}&id[]=999999"
    for reader in (api_for(member), client):
        found = reader.get(f"/api/v1/accounts?{query}").json()
        assert [a["username"] for a in found] == ["bob", "alice"]


@pytest.mark.parametrize("path", ["/api/v1/statuses", "/api/v1/accounts"])
@pytest.mark.parametrize(("query", "expected"), [
    ("", 200), ("?id[]=abc", 422), ("?id[]=99999999999999999999999", 422),
    ("?" + "&".join(f"id[]={n}" for n in range(41)), 422),
])
def test_bad_id_lists_are_refused(member, api_for, path, query, expected):
    response = api_for(member).get(path + query)
    assert response.status_code == expected
    if expected == 200:
        assert response.json() == []
    else:
        assert "error" in response.json()


@pytest.mark.parametrize(("path", "scope", "expected"), [
    ("/api/v1/statuses?id[]=1", "read:statuses", 200),
    ("/api/v1/statuses?id[]=1", "read:accounts", 403),
    ("/api/v1/accounts?id[]=1", "read:accounts", 200),
    ("/api/v1/accounts?id[]=1", "write:media", 403),
])
def test_a_token_must_carry_the_read_scope(member, api_for, path, scope, expected):
    assert api_for(member, scope).get(path).status_code == expected
