"""Filters v1 written by older apps: a phrase with its contexts, ``irreversible`` (hide)
and ``whole_word``; stored as a v2 filter of one keyword and applied like one."""

from __future__ import annotations

import pytest

from tests.api.contracts import entities as E
from tests.api.contracts.checker import assert_entity

pytestmark = pytest.mark.django_db


def test_an_old_app_creates_a_filter_that_hides_matching_posts(member, other_member, api_for,
                                                               publish):
    from parley.accounts import services as accounts

    accounts.follow(member, other_member)
    publish(other_member, "the match was dull")
    publish(other_member, "lovely weather")
    client = api_for(member)
    created = client.post("/api/v1/filters", {"phrase": "match", "context[]": ["home"],
                                              "irreversible": "true", "expires_in": "3600"})
    assert created.status_code == 200
    v1 = created.json()
    assert_entity(v1, E.V1_FILTER, "V1::Filter")
    assert (v1["phrase"], v1["context"], v1["irreversible"], v1["whole_word"]) == (
        "match", ["home"], True, True)
    assert v1["expires_at"] is not None
    [v2] = client.get("/api/v2/filters").json()
    assert (v2["title"], v2["filter_action"]) == ("match", "hide")
    assert [k["keyword"] for k in v2["keywords"]] == ["match"]
    home = client.get("/api/v1/timelines/home").json()
    assert [s["content"] for s in home] == ["<p>lovely weather</p>"]


def test_editing_and_deleting_a_v1_filter(member, api_for):
    client = api_for(member)
    kid = client.post("/api/v1/filters", {"phrase": "spoiler", "context[]": ["home"]}).json()["id"]
    edited = client.put(f"/api/v1/filters/{kid}", {
        "phrase": "spoilers", "context[]": ["home", "public"], "whole_word": "false",
        "irreversible": "false"})
    assert edited.status_code == 200
    assert (edited.json()["phrase"], edited.json()["context"], edited.json()["whole_word"]) == (
        "spoilers", ["home", "public"], False)
    assert client.get(f"/api/v1/filters/{kid}").json()["phrase"] == "spoilers"
    assert client.delete(f"/api/v1/filters/{kid}").json() == {}
    assert client.get(f"/api/v1/filters/{kid}").status_code == 404
    assert client.get("/api/v2/filters").json() == []


def test_a_filter_of_several_keywords_keeps_its_shared_settings(member, api_for):
    client = api_for(member)
    v2 = client.post("/api/v2/filters", {
        "title": "sports", "context[]": ["home"],
        "keywords_attributes[][keyword]": ["match", "goal"]}, format="multipart").json()
    kid = v2["keywords"][0]["id"]
    refused = client.put(f"/api/v1/filters/{kid}", {"context[]": ["public"]})
    assert refused.status_code == 422 and "v2" in refused.json()["error"]
    renamed = client.put(f"/api/v1/filters/{kid}", {"phrase": "final", "context[]": ["home"]})
    assert renamed.status_code == 200 and renamed.json()["phrase"] == "final"
    client.delete(f"/api/v1/filters/{kid}")
    [left] = client.get("/api/v2/filters").json()
    assert [k["keyword"] for k in left["keywords"]] == ["goal"]


@pytest.mark.parametrize("body", [
    {"context[]": ["home"]},
    {"phrase": "  ", "context[]": ["home"]},
    {"phrase": "x"},
    {"phrase": "x", "context[]": ["everywhere"]},
    {"phrase": "x", "context[]": ["home"], "irreversible": "perhaps"},
    {"phrase": "x", "context[]": ["home"], "expires_in": "-5"},
])
def test_bad_v1_filters_are_refused(member, api_for, body):
    client = api_for(member)
    refused = client.post("/api/v1/filters", body)
    assert refused.status_code == 422 and "error" in refused.json()
    assert client.get("/api/v1/filters").json() == []


def test_only_the_owner_with_write_filters_changes_a_filter(member, other_member, api_for):
    kid = api_for(member).post("/api/v1/filters",
                               {"phrase": "mine", "context[]": ["home"]}).json()["id"]
    intruder = api_for(other_member)
    assert intruder.put(f"/api/v1/filters/{kid}", {"phrase": "theirs"}).status_code == 404
    assert intruder.delete(f"/api/v1/filters/{kid}").status_code == 404
    reader = api_for(member, "read")
    assert reader.post("/api/v1/filters", {"phrase": "x", "context[]": ["home"]}).status_code \
        == 403
    assert reader.delete(f"/api/v1/filters/{kid}").status_code == 403
    assert api_for(member).get(f"/api/v1/filters/{kid}").json()["phrase"] == "mine"
