"""``account_id`` on notifications: only those from one account, in v1, v2 and the unread
counts; a moderator is never found behind the moderation decisions they took."""

from __future__ import annotations

import pytest

from parley.accounts import services as accounts
from parley.notifications import services as notification_services
from parley.posts import services as posts

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(member, make_member, moderator, publish):
    """carol and dave each like alice's post and follow her; a moderator warns her."""
    post = publish(member, "hello")
    carol, dave = make_member("carol"), make_member("dave")
    for fan in (carol, dave):
        posts.favourite(fan, post)
        accounts.follow(fan, member)
    notification_services.notify(recipient=member, actor=moderator, kind="moderation_warning",
                                 post=post)
    return carol, dave


def test_v1_lists_only_the_chosen_accounts_notifications(busy, member, api_for):
    carol, _ = busy
    client = api_for(member)
    found = client.get(f"/api/v1/notifications?account_id={carol.pk}").json()
    assert sorted(n["type"] for n in found) == ["favourite", "follow"]
    assert {n["account"]["id"] for n in found} == {str(carol.pk)}
    only_likes = client.get(f"/api/v1/notifications?account_id={carol.pk}&types[]=favourite")
    assert [n["type"] for n in only_likes.json()] == ["favourite"]
    unread = client.get(f"/api/v1/notifications/unread_count?account_id={carol.pk}").json()
    assert unread == {"count": 2}


def test_v2_groups_and_counts_only_the_chosen_account(busy, member, api_for):
    _, dave = busy
    client = api_for(member)
    body = client.get(f"/api/v2/notifications?account_id={dave.pk}").json()
    assert {a["id"] for a in body["accounts"]} == {str(dave.pk)}
    assert all(g["sample_account_ids"] == [str(dave.pk)] for g in body["notification_groups"])
    assert client.get(f"/api/v2/notifications/unread_count?account_id={dave.pk}").json() == {
        "count": 2}


def test_a_moderator_is_not_found_behind_a_decision(busy, member, moderator, api_for):
    client = api_for(member)
    assert client.get(f"/api/v1/notifications?account_id={moderator.pk}").json() == []
    own = client.get(f"/api/v1/notifications?account_id={member.pk}").json()
    assert [n["type"] for n in own] == ["moderation_warning"]


def test_a_bad_account_id_is_refused_and_another_members_are_not_shown(busy, member,
                                                                       other_member, api_for):
    carol, _ = busy
    refused = api_for(member).get("/api/v1/notifications?account_id=carol")
    assert refused.status_code == 422 and "error" in refused.json()
    assert api_for(other_member).get(f"/api/v1/notifications?account_id={carol.pk}").json() == []
