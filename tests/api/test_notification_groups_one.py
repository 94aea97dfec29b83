"""One notification group at a time (Mastodon 4.3): read it whole, list everyone in it,
dismiss it; only the member's own groups."""

from __future__ import annotations

import pytest

from parley.accounts import services as accounts
from parley.posts import services as posts
from tests.api.contracts import entities as E
from tests.api.contracts.checker import assert_entities, assert_entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def liked(member, make_member, publish):
    """Three members like alice's post; dan follows her; eve mentions her."""
    post = publish(member, "a post worth liking")
    fans = [make_member(f"fan{i}") for i in range(3)]
    for fan in fans:
        posts.favourite(fan, post)
    accounts.follow(make_member("dan"), member)
    publish(make_member("eve"), "@alice hi")
    return post, fans


def group_of(client, kind: str) -> dict:
    body = client.get("/api/v2/notifications").json()
    return next(g for g in body["notification_groups"] if g["type"] == kind)


def test_reading_one_group_whole(liked, member, api_for):
    post, fans = liked
    client = api_for(member)
    key = group_of(client, "favourite")["group_key"]
    response = client.get(f"/api/v2/notifications/{key}")
    assert response.status_code == 200
    body = response.json()
    assert_entity(body, E.GROUPED_NOTIFICATIONS_RESULTS, "GroupedNotificationsResults")
    [group] = body["notification_groups"]
    assert (group["group_key"], group["notifications_count"]) == (key, 3)
    assert [s["id"] for s in body["statuses"]] == [str(post.pk)]
    mention = group_of(client, "mention")["group_key"]
    assert client.get(f"/api/v2/notifications/{mention}").json()[
        "notification_groups"][0]["type"] == "mention"


def test_everyone_in_a_group_newest_first(liked, member, api_for):
    _, fans = liked
    client = api_for(member)
    key = group_of(client, "favourite")["group_key"]
    found = client.get(f"/api/v2/notifications/{key}/accounts").json()
    assert_entities(found, E.ACCOUNT, "Account", at_least=3)
    assert [a["username"] for a in found] == ["fan2", "fan1", "fan0"]


def test_dismissing_a_group_dismisses_all_of_it_and_nothing_else(liked, member, api_for):
    client = api_for(member)
    key = group_of(client, "favourite")["group_key"]
    assert client.post(f"/api/v2/notifications/{key}/dismiss").json() == {}
    assert client.get(f"/api/v2/notifications/{key}").status_code == 404
    left = {n["type"] for n in client.get("/api/v1/notifications").json()}
    assert left == {"follow", "mention"}
    mention = group_of(client, "mention")["group_key"]
    client.post(f"/api/v2/notifications/{mention}/dismiss")
    assert {n["type"] for n in client.get("/api/v1/notifications").json()} == {"follow"}


def test_another_members_group_is_not_found_nor_dismissed(liked, member, other_member,
                                                          api_for):
    key = group_of(api_for(member), "favourite")["group_key"]
    intruder = api_for(other_member)
    assert intruder.get(f"/api/v2/notifications/{key}").status_code == 404
    assert intruder.get(f"/api/v2/notifications/{key}/accounts").status_code == 404
    assert intruder.post(f"/api/v2/notifications/{key}/dismiss").status_code == 200
    assert group_of(api_for(member), "favourite")["notifications_count"] == 3
    assert api_for(member, "read").post(
        f"/api/v2/notifications/{key}/dismiss").status_code == 403
    assert api_for(member, "write").get(f"/api/v2/notifications/{key}").status_code == 403
    assert api_for(member).get("/api/v2/notifications/favourite-1-2").status_code == 404
