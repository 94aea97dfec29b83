"""Filters where they were not applied before: a status fetched on its own carries every
matching filter in ``filtered``; grouped notifications apply the ``notifications`` ones."""

from __future__ import annotations

import pytest
from django.test import Client

from parley.posts import services as posts

pytestmark = pytest.mark.django_db


def make_filter(client, title: str, keyword: str, context: list[str], action: str) -> dict:
    response = client.post("/api/v2/filters", {
        "title": title, "context[]": context, "filter_action": action,
        "keywords_attributes[][keyword]": keyword}, format="multipart")
    assert response.status_code == 200
    return response.json()


def test_a_single_status_carries_every_matching_filter(member, other_member, api_for,
                                                       publish):
    post = publish(other_member, "spoilers for the final episode")
    client = api_for(member)
    warn = make_filter(client, "shows", "episode", ["home"], "warn")
    hide = make_filter(client, "finals", "final", ["public"], "hide")
    make_filter(client, "food", "pizza", ["home"], "warn")
    response = client.get(f"/api/v1/statuses/{post.pk}")
    assert response.status_code == 200  # a hide filter does not take it away here
    filtered = response.json()["filtered"]
    assert [(r["filter"]["id"], r["keyword_matches"]) for r in filtered] == [
        (warn["id"], ["episode"]), (hide["id"], ["final"])]
    assert filtered[1]["filter"]["filter_action"] == "hide"


def test_only_the_viewers_own_filters_mark_a_status(member, other_member, api_for, publish):
    post = publish(other_member, "the final episode")
    make_filter(api_for(member), "shows", "episode", ["home"], "warn")
    assert api_for(other_member).get(f"/api/v1/statuses/{post.pk}").json()["filtered"] == []
    assert Client().get(f"/api/v1/statuses/{post.pk}").json().get("filtered", []) == []


def test_grouped_notifications_apply_the_notification_filters(member, make_member, api_for,
                                                              publish):
    client = api_for(member)
    liked = publish(member, "my cat photo")
    spoiled = publish(member, "my spoiler about the match")
    fan = make_member("fan")
    posts.favourite(fan, liked)
    posts.favourite(fan, spoiled)
    make_filter(client, "cats", "cat", ["notifications"], "warn")
    make_filter(client, "sport", "match", ["notifications"], "hide")
    make_filter(client, "home only", "photo", ["home"], "hide")
    body = client.get("/api/v2/notifications").json()
    assert [g["status_id"] for g in body["notification_groups"]] == [str(liked.pk)]
    [status] = body["statuses"]
    assert [r["filter"]["title"] for r in status["filtered"]] == ["cats"]
    group_key = body["notification_groups"][0]["group_key"]
    one = client.get(f"/api/v2/notifications/{group_key}").json()
    assert [r["filter"]["title"] for r in one["statuses"][0]["filtered"]] == ["cats"]
