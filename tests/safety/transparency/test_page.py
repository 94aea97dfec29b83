"""The public /transparency page and its JSON and CSV downloads."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import days

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_reads_the_report(history, period):
    first, last = days(period)
    response = Client().get("/transparency", {"from": first, "to": last})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Transparency report" in page
    assert "50.0%" in page  # found proactively; also the appeal reversal rate
    assert "25.0%" in page  # never publicly visible
    assert "Our automated screening" in page and "Member reports" in page
    assert "100.0%" in page  # violence: found proactively every time
    assert 'class="tr-bar"' in page and "<script" not in page.split("<main", 1)[1]
    for person in history.people[:3]:  # the authors and the reporter
        assert person.username not in page and person.display_name not in page


def test_the_default_period_is_the_last_30_days(history):
    response = Client().get("/transparency")
    assert response.status_code == 200
    report = response.context["r"]
    assert report["notices"]["total"] == 7


def test_json_and_csv_downloads(history, period):
    first, last = days(period)
    data = Client().get("/transparency.json", {"from": first, "to": last}).json()
    assert data["proactive"]["share"] == 0.5 and data["appeals"]["reversal_rate"] == 0.5
    response = Client().get("/transparency.csv", {"from": first, "to": last})
    assert response["Content-Type"].startswith("text/csv")
    assert f"transparency-{first}-{last}.csv" in response["Content-Disposition"]
    assert "appeals,reversed,,1" in response.content.decode()


def test_a_bad_period_is_explained(db):
    page = Client().get("/transparency", {"from": "2026-03-01", "to": "2026-01-01"})
    assert page.status_code == 422 and "starts after it ends" in page.content.decode()
    data = Client().get("/transparency.json", {"from": "soon"})
    assert data.status_code == 422 and "2026-01-31" in data.json()["error"]
