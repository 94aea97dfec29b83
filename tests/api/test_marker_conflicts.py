"""Markers saved by two apps at once: as Mastodon, the save that read a marker another app
saved meanwhile is refused with 409 and changes nothing; the app reads again and retries."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_a_save_that_lost_the_race_gets_409_and_changes_nothing(member, api_for):
    phone, laptop = api_for(member, "read write"), api_for(member, "read:statuses write")
    phone.post("/api/v1/markers", {"home[last_read_id]": "10",
                                   "notifications[last_read_id]": "3"})
    interleaved: dict = {}

    def laptop_saves_first(execute, sql, params, many, context):
        # The phone has just read the markers it will save: the laptop's whole save
        # happens before the phone writes.
        result = execute(sql, params, many, context)
        if not interleaved and sql.startswith("SELECT") and "marker" in sql:
            interleaved["started"] = True
            interleaved["laptop"] = laptop.post("/api/v1/markers", {"home[last_read_id]": "20"})
        return result

    with connection.execute_wrapper(laptop_saves_first):
        late = phone.post("/api/v1/markers", {"notifications[last_read_id]": "4",
                                              "home[last_read_id]": "15"})

    assert interleaved["laptop"].status_code == 200
    assert late.status_code == 409
    assert late.json() == {"error": "Conflict during update, please try again"}
    markers = phone.get("/api/v1/markers?timeline[]=home&timeline[]=notifications").json()
    assert markers["home"]["last_read_id"] == "20" and markers["home"]["version"] == 1
    # The refused save changed no timeline, not even the one saved before the conflict.
    assert markers["notifications"]["last_read_id"] == "3"
    assert markers["notifications"]["version"] == 0
    retried = phone.post("/api/v1/markers", {"home[last_read_id]": "25"})
    assert retried.status_code == 200 and retried.json()["home"]["version"] == 2


def test_two_apps_saving_the_first_marker_at_once(member, api_for):
    phone, laptop = api_for(member, "read write"), api_for(member, "read:statuses write")
    interleaved: dict = {}

    def laptop_saves_first(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not interleaved and sql.startswith("SELECT") and "marker" in sql:
            interleaved["laptop"] = True
            interleaved["laptop"] = laptop.post("/api/v1/markers", {"home[last_read_id]": "7"})
        return result

    with connection.execute_wrapper(laptop_saves_first):
        late = phone.post("/api/v1/markers", {"home[last_read_id]": "5"})

    assert interleaved["laptop"].status_code == 200
    assert late.status_code == 409
    home = phone.get("/api/v1/markers?timeline[]=home").json()["home"]
    assert (home["last_read_id"], home["version"]) == ("7", 0)
