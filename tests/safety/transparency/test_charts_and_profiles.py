"""The report's period picker, its server-drawn SVG charts, the HTML file the command
writes, and the DSA profiles that switch sections on and off."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from parley.posts.models import PostViewCount
from parley.posts.viewcounts import current_hour

from .conftest import days

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def charts_in(page: str) -> dict[str, ET.Element]:
    """Every <svg class="tr-chart"> of the page, parsed as XML (fails if it is not XML)."""
    charts = {}
    for chunk in page.split('<svg xmlns="http://www.w3.org/2000/svg"')[1:]:
        markup = '<svg xmlns="http://www.w3.org/2000/svg"' + chunk.split("</svg>", 1)[0] + "</svg>"
        svg = ET.fromstring(markup)
        charts[svg.get("id")] = svg
    return charts


def test_the_page_draws_its_charts_as_svg(history, period):
    PostViewCount.objects.create(post=history.posts["ordered"], hour=current_hour(), count=250)
    first, last = days(period)
    response = Client().get("/transparency", {"from": first, "to": last})
    page = response.content.decode()
    charts = charts_in(page)
    assert set(charts) == {"tr-chart-daily", "tr-chart-exposure"}
    daily = charts["tr-chart-daily"]
    assert daily.find(f"{SVG}title").text == "Notices received and actions taken per day"
    assert len(daily.findall(f"{SVG}polyline")) == 2
    legend = [t.text for t in daily.iter(f"{SVG}text")]
    assert "Notices (7)" in legend and "Actions (7)" in legend
    exposure = charts["tr-chart-exposure"]
    labels = [t.text for t in exposure.iter(f"{SVG}text")]
    assert labels == ["0 views", "3", "1-10 views", "0", "11-100 views", "0", "more views", "1"]
    # The CSP forbids inline styles and scripts: the charts use neither.
    assert "style=" not in page and "<script" not in page.split("<main", 1)[1]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_period_picker_filters_the_report(history):
    today = timezone.localdate()
    before = Client().get("/transparency", {"from": (today - timedelta(days=60)).isoformat(),
                                            "to": (today - timedelta(days=10)).isoformat()})
    assert before.context["r"]["notices"]["total"] == 0
    assert before.context["r"]["actions"]["total"] == 0
    page = Client().get("/transparency", {"from": today.isoformat(), "to": today.isoformat()})
    assert page.context["r"]["notices"]["total"] == 7
    html = page.content.decode()
    for preset in ("Last 7 days", "Last 30 days", "Last 90 days", "This year"):
        assert preset in html
    week = (today - timedelta(days=6)).isoformat()
    assert f'href="/transparency?from={week}&amp;to={today.isoformat()}"' in html


def test_the_command_writes_an_offline_html_file(history, period):
    first, last = days(period)
    out = io.StringIO()
    call_command("safety", "report", "--from", first, "--to", last, "--format", "html",
                 stdout=out)
    html = out.getvalue()
    assert html.startswith("<!doctype html>") and "<style>" in html and ".tr-chart" in html
    assert "<link" not in html and "<script" not in html  # nothing fetched
    assert set(charts_in(html)) == {"tr-chart-daily", "tr-chart-exposure"}
    assert "Views before action" in html and "Appeals, suspensions and orders" in html


@pytest.mark.parametrize("profile", ["micro", "small"])
def test_small_services_leave_out_the_sections_they_are_exempt_from(history, period, settings,
                                                                    profile, tmp_path):
    settings.PARLEY_DSA_PROFILE = profile
    first, last = days(period)
    data = Client().get("/transparency.json", {"from": first, "to": last}).json()
    assert data["dsa_profile"]["name"] == profile
    assert data["dsa_profile"]["statements_export"] is False
    for exempt in ("appeals", "suspensions", "notice_handling", "removal_orders"):
        assert exempt not in data
    assert data["exposure"]["views_before_action"]["posts"] == 4  # our own measure stays
    page = Client().get("/transparency", {"from": first, "to": last}).content.decode()
    assert "Appeals, suspensions and orders" not in page and "Views before action" in page
    csv_text = Client().get("/transparency.csv", {"from": first, "to": last}).content.decode()
    assert "appeals," not in csv_text and f"dsa_profile,name,,{profile}" in csv_text
    text = io.StringIO()
    call_command("safety", "report", "--from", first, "--to", last, stdout=text)
    assert "Appeals:" not in text.getvalue() and "Views before action" in text.getvalue()
    with pytest.raises(CommandError, match="Art. 19 and 24"):
        call_command("safety", "export-statements", "--from", first, "--to", last,
                     "--out", str(tmp_path), stdout=io.StringIO())
    assert not list(tmp_path.iterdir())


def test_the_strict_profile_is_the_default_and_shows_everything(history, period, tmp_path):
    first, last = days(period)
    data = Client().get("/transparency.json", {"from": first, "to": last}).json()
    assert data["dsa_profile"]["name"] == "vlop"
    for section in ("appeals", "suspensions", "notice_handling", "removal_orders", "daily"):
        assert section in data
    out = io.StringIO()
    call_command("safety", "export-statements", "--from", first, "--to", last,
                 "--out", str(tmp_path), stdout=out)
    assert "Exported" in out.getvalue() and list(tmp_path.iterdir())
