"""The report's numbers for a known history, and the `parley safety report` command."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from parley.posts.models import PostViewCount
from parley.posts.viewcounts import current_hour
from parley.safety.management.commands.safety import Command
from parley.safety.transparency.selectors import build_report, parse_period, percentile

from .conftest import days

pytestmark = pytest.mark.django_db


def test_counts_of_notices_and_actions(history, period):
    report = build_report(period)
    notices = report["notices"]
    assert notices["total"] == 7 and notices["from_people"] == 5
    assert notices["by_source"] == {"member": 4, "screening": 2, "authority": 1}
    assert notices["by_category"]["other"] == 4
    assert {"source": "screening", "category": "violence", "count": 1} in (
        notices["by_source_and_category"])
    actions = report["actions"]
    assert actions["by_type"] == {"remove": 5, "suspend": 1, "dismiss": 1}
    assert actions["total"] == 7 and actions["restrictions"] == 6 and actions["automated"] == 0
    assert actions["by_category"]["other"] == 4
    assert {"category": "violence", "type": "remove", "count": 1} in (
        actions["by_category_and_type"])


def test_proactive_share_counts_screening_before_any_report(history, period):
    proactive = build_report(period)["proactive"]
    # held (screening first) and flagged (screening before the member's report) are
    # proactive; reported and ordered are not; wrong was reversed on appeal: no violation.
    assert proactive["actioned_cases"] == 4 and proactive["proactive_cases"] == 2
    assert proactive["share"] == 0.5
    assert proactive["by_category"]["violence"] == {"actioned": 1, "proactive": 1, "share": 1.0}
    assert proactive["by_category"]["risk_for_public_security"]["share"] == 0.0


def test_time_to_action_and_exposure(history, period):
    report = build_report(period)
    timing, exposure = report["time_to_action"], report["exposure"]
    # held at once, then posts 1 h, 2 h and 4 h old when removed
    assert timing["count"] == 4
    assert timing["median_seconds"] == pytest.approx(1.5 * 3600, abs=60)
    assert timing["p95_seconds"] == pytest.approx(4 * 3600, abs=60)
    assert exposure["actioned_posts"] == 4
    assert exposure["never_publicly_visible"] == 1
    assert exposure["never_publicly_visible_share"] == 0.25
    assert exposure["distributed_before_action"] == 3
    assert exposure["views_tracked"] is True and "views" in exposure["note"]


def test_exposure_buckets_count_only_views_before_the_action(history, period):
    hour = current_hour()  # the actions were taken just now, in this hour
    views = {"flagged": [(-2, 5), (1, 50)],  # 50 more after it was removed (a later hour)
             "reported": [(-1, 30)], "ordered": [(-4, 400), (0, 100)],
             "wrong": [(-3, 7)]}  # reversed on appeal: not a violation
    for key, rows in views.items():
        for hours, n in rows:
            PostViewCount.objects.create(post=history.posts[key],
                                         hour=hour + timedelta(hours=hours), count=n)
    seen = build_report(period)["exposure"]["views_before_action"]
    assert seen["buckets"] == {"0": 1, "1-10": 1, "11-100": 1, "more": 1}
    assert seen["posts"] == 4 and seen["total"] == 5 + 30 + 500 and seen["max"] == 500


def test_appeals_suspensions_notices_and_orders(history, period):
    report = build_report(period)
    appeals = report["appeals"]
    assert (appeals["filed"], appeals["decided"], appeals["reversed"]) == (2, 2, 1)
    assert appeals["upheld"] == 1 and appeals["reversal_rate"] == 0.5
    assert appeals["pending_now"] == 0
    suspensions = report["suspensions"]
    assert suspensions["total"] == suspensions["timed"] == suspensions["accounts"] == 1
    assert suspensions["automated"] == 0
    handling = report["notice_handling"]
    assert handling["member"]["decided"] == 4 and handling["member"]["pending"] == 0
    assert handling["member"]["average_seconds"] is not None
    assert report["removal_orders"] == {"received": 1, "met_deadline": 1, "missed_deadline": 0,
                                        "pending": 0, "share_met": 1.0}


def test_a_period_before_the_history_is_empty(history):
    report = build_report(parse_period("2020-01-01", "2020-01-31"))
    assert report["notices"]["total"] == 0 and report["actions"]["total"] == 0
    assert report["proactive"]["share"] is None
    assert report["time_to_action"]["median_seconds"] is None


def test_periods_are_checked():
    from parley.core.errors import ValidationFailed

    for first, last in (("2026-02-30", None), ("2026-03-01", "2026-02-01"),
                        ("2020-01-01", "2026-01-01")):
        with pytest.raises(ValidationFailed):
            parse_period(first, last)
    assert (parse_period(None, None).last - parse_period(None, None).first).days == 30


def test_percentile_is_nearest_rank():
    assert percentile([], 0.95) is None
    assert percentile([5.0], 0.95) == 5.0
    assert percentile(list(range(1, 101)), 0.95) == 95
    assert percentile([1, 2, 3, 4], 0.5) == 2


def test_report_command_in_every_format(history, period):
    first, last = days(period)
    out = io.StringIO()
    call_command("safety", "report", "--from", first, "--to", last, "--format", "json",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert data["appeals"]["reversal_rate"] == 0.5 and data["period"]["from"] == first

    out = io.StringIO()
    call_command("safety", "report", "--from", first, "--to", last, "--format", "csv",
                 stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["section", "metric", "key", "value"]
    assert ["notices", "by_source", "member", "4"] in rows
    assert ["proactive", "share", "", "0.5"] in rows
    assert ["actions", "by_category_and_type", "violence/remove", "1"] in rows

    out = io.StringIO()
    call_command("safety", "report", "--from", first, "--to", last, stdout=out)
    text = out.getvalue()
    assert "Found proactively: 50.0% of 4 actioned cases" in text
    assert "reversal rate 50.0%" in text


def test_report_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-01-31"):
        call_command("safety", "report", "--from", "yesterday", stdout=io.StringIO())


@pytest.mark.parametrize("name", ["report", "export-statements"])
def test_every_command_has_help(name, capsys):
    parser = Command().create_parser("parley", "safety")
    with pytest.raises(SystemExit):
        parser.parse_args([name, "--help"])
    shown = capsys.readouterr().out
    assert "--from" in shown and "--to" in shown
