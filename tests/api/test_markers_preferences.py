"""Markers (where a member stopped reading, shared between its apps) and preferences."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_no_markers_until_one_is_saved(member, api_for):
    client = api_for(member)
    assert client.get("/api/v1/markers?timeline[]=home").json() == {}
    assert client.get("/api/v1/markers").json() == {}


def test_saving_markers_in_json_and_reading_them_back(member, api_for):
    client = api_for(member)

    saved = client.post("/api/v1/markers", {"home": {"last_read_id": "103"},
                                            "notifications": {"last_read_id": 7}},
                        format="json")

    assert saved.status_code == 200
    assert saved.json()["home"]["last_read_id"] == "103"
    assert saved.json()["home"]["version"] == 0
    assert saved.json()["notifications"]["last_read_id"] == "7"
    both = client.get("/api/v1/markers?timeline[]=home&timeline[]=notifications").json()
    assert set(both) == {"home", "notifications"}
    only_home = client.get("/api/v1/markers?timeline[]=home").json()
    assert list(only_home) == ["home"]
    assert only_home["home"]["updated_at"].endswith("Z")


def test_each_save_bumps_the_version_in_forms_too(member, api_for):
    client = api_for(member)
    client.post("/api/v1/markers", {"home[last_read_id]": "5"})
    again = client.post("/api/v1/markers", {"home[last_read_id]": "9"}).json()
    assert again["home"] == {**again["home"], "last_read_id": "9", "version": 1}


@pytest.mark.parametrize("body", [
    {"home": {"last_read_id": "abc"}},
    {"home": {"last_read_id": None}},
    {"home": {"last_read_id": True}},
    {"home": "5"},
    {"notifications": {"last_read_id": "-3"}},
])
def test_a_marker_that_is_not_an_id_is_refused(member, api_for, body):
    response = api_for(member).post("/api/v1/markers", body, format="json")
    assert response.status_code == 422
    assert "error" in response.json()


def test_unknown_timelines_are_ignored(member, api_for):
    response = api_for(member).post("/api/v1/markers", {"public": {"last_read_id": "1"}},
                                    format="json")
    assert response.status_code == 200 and response.json() == {}


def test_markers_are_the_members_own(member, other_member, api_for):
    api_for(member).post("/api/v1/markers", {"home[last_read_id]": "42"})
    bob = api_for(other_member)
    assert bob.get("/api/v1/markers?timeline[]=home").json() == {}
    bob.post("/api/v1/markers", {"home[last_read_id]": "1"})
    mine = api_for(member, "read").get("/api/v1/markers?timeline[]=home").json()
    assert mine["home"]["last_read_id"] == "42"


@pytest.mark.parametrize(("method", "scope", "expected"), [
    ("get", "read:statuses", 200), ("get", "read:notifications", 403),
    ("post", "write:statuses", 200), ("post", "read:statuses", 403),
    ("post", "write:notifications", 403),
])
def test_markers_take_the_statuses_scopes(member, api_for, method, scope, expected):
    client = api_for(member, scope)
    response = getattr(client, method)("/api/v1/markers", {"home[last_read_id]": "1"})
    assert response.status_code == expected


def test_preferences_are_the_posting_and_reading_defaults(member, api_for):
    prefs = api_for(member).get("/api/v1/preferences").json()
    assert prefs == {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


def test_preferences_need_read_accounts(member, api_for, client):
    assert api_for(member, "read:accounts").get("/api/v1/preferences").status_code == 200
    assert api_for(member, "read:statuses").get("/api/v1/preferences").status_code == 403
    assert client.get("/api/v1/preferences").status_code == 401
