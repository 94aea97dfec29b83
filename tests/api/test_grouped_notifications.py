"""Grouped notifications (v2) and unread counts: likes, echoes and follows of the same thing
within 12 hours are one group; everything else stands alone."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from parley.accounts import services as accounts
from parley.notifications.models import Notification
from parley.posts import services as posts
from parley.posts.models import PostState
from parley.timelines import services as timeline_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def liked(member, make_member, publish):
    """Three members like alice's post."""
    post = publish(member, "a post worth liking")
    fans = [make_member(f"fan{i}") for i in range(3)]
    for fan in fans:
        posts.favourite(fan, post)
    return post, fans


def groups(client, query: str = "") -> dict:
    response = client.get(f"/api/v2/notifications{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_likes_of_one_post_are_one_group(liked, member, api_for):
    post, fans = liked
    body = groups(api_for(member))
    [group] = body["notification_groups"]
    assert group["type"] == "favourite" and group["notifications_count"] == 3
    assert group["status_id"] == str(post.pk)
    assert group["sample_account_ids"] == [str(f.pk) for f in reversed(fans)]
    assert [s["id"] for s in body["statuses"]] == [str(post.pk)]
    assert {a["username"] for a in body["accounts"]} == {"fan0", "fan1", "fan2"}
    v1 = api_for(member).get("/api/v1/notifications").json()
    assert {n["group_key"] for n in v1} == {group["group_key"]}


def test_follows_group_and_mentions_stand_alone(member, make_member, api_for, publish):
    for name in ("f1", "f2"):
        accounts.follow(make_member(name), member)
    speaker = make_member("speaker")
    publish(speaker, "@alice one")
    publish(speaker, "@alice two")
    body = groups(api_for(member))
    kinds = [(g["type"], g["notifications_count"]) for g in body["notification_groups"]]
    assert kinds == [("mention", 1), ("mention", 1), ("follow", 2)]
    assert all(g["group_key"].startswith("ungrouped-")
               for g in body["notification_groups"][:2])
    only_likes_grouped = groups(api_for(member), "?grouped_types[]=favourite")
    assert [g["type"] for g in only_likes_grouped["notification_groups"]].count("follow") == 2


def test_a_group_takes_members_for_twelve_hours(member, make_member, publish):
    with freeze_time("2026-03-01 10:05:00"):
        post = publish(member, "liked all day")
        posts.favourite(make_member("morning"), post)
    with freeze_time("2026-03-01 21:55:00"):
        posts.favourite(make_member("evening"), post)
    with freeze_time("2026-03-01 22:05:00"):
        posts.favourite(make_member("night"), post)
    keys = list(Notification.objects.order_by("id").values_list("group_key", flat=True))
    assert keys[0] == keys[1] != keys[2]


def test_groups_page_partially_with_link_headers(member, make_member, api_for, publish):
    post = publish(member, "liked twice, mentioned between")
    posts.favourite(make_member("early"), post)
    publish(make_member("speaker"), "@alice hello")
    posts.favourite(make_member("late"), post)
    alice = api_for(member)
    first = alice.get("/api/v2/notifications?limit=1")
    [group] = first.json()["notification_groups"]
    assert group["type"] == "favourite" and group["notifications_count"] == 2
    assert group["page_min_id"] == group["page_max_id"]
    assert f"max_id={group['page_min_id']}" in first["Link"].split(">")[0]
    rest = alice.get(f"/api/v2/notifications?max_id={group['page_min_id']}").json()
    rest = rest["notification_groups"]
    # The rest of the like group shows again, older, after the mention.
    assert [(g["type"], g["notifications_count"]) for g in rest] == [
        ("mention", 1), ("favourite", 1)]
    assert rest[1]["group_key"] == group["group_key"]
    assert int(rest[1]["page_max_id"]) < int(group["page_min_id"])


def test_a_held_mention_is_not_shown(member, other_member, api_for, publish):
    mention = publish(other_member, "@alice psst")
    assert len(groups(api_for(member))["notification_groups"]) == 1
    posts.transition_post(mention, PostState.HELD)
    body = groups(api_for(member))
    assert body["notification_groups"] == [] and body["statuses"] == []


def test_unread_counts_follow_the_notifications_marker(liked, member, api_for, make_member):
    accounts.follow(make_member("newcomer"), member)
    alice = api_for(member)
    assert alice.get("/api/v1/notifications/unread_count").json() == {"count": 4}
    assert alice.get("/api/v1/notifications/unread_count?limit=2").json() == {"count": 2}
    assert alice.get("/api/v2/notifications/unread_count").json() == {"count": 2}
    newest_like = Notification.objects.filter(kind="favourite").order_by("-id").first()
    timeline_services.save_markers(member, {"notifications": newest_like.pk})
    assert alice.get("/api/v1/notifications/unread_count").json() == {"count": 1}
    assert alice.get("/api/v2/notifications/unread_count").json() == {"count": 1}


def test_no_one_reads_anothers_groups(liked, other_member, api_for):
    bob = api_for(other_member)
    assert groups(bob)["notification_groups"] == []
    assert bob.get("/api/v1/notifications/unread_count").json() == {"count": 0}


@pytest.mark.parametrize("path", ["/api/v2/notifications", "/api/v1/notifications/unread_count",
                                  "/api/v2/notifications/unread_count"])
def test_they_need_read_notifications(member, api_for, path):
    assert api_for(member, "read:statuses").get(path).status_code == 403
    assert api_for(member, "read:notifications").get(path).status_code == 200
