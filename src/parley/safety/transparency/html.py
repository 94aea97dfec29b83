"""The transparency report as HTML: the page's context (with its SVG charts), and one
standalone file with the stylesheet inlined, readable offline (`--format html`)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from parley.safety.cases.models import ActionKind, NoticeSource
from parley.safety.policy import POLICY
from parley.safety.transparency.charts import bar_chart, daily_chart
from parley.safety.transparency.formats import duration, percent

CSS = Path(__file__).resolve().parents[2] / "web" / "static" / "web" / "parley.css"

SOURCE_LABELS = {
    NoticeSource.MEMBER: "Member reports",
    NoticeSource.PUBLIC: "Public notice form",
    NoticeSource.HOSTING_PROVIDER: "Hosting providers",
    NoticeSource.TRUSTED_FLAGGER: "Trusted flaggers",
    NoticeSource.AUTHORITY: "Authorities",
    NoticeSource.SCREENING: "Our automated screening",
}


def _label(name: str) -> str:
    if name in SOURCE_LABELS:
        return SOURCE_LABELS[name]
    if name in POLICY:
        return POLICY[name].label
    if name in ActionKind.values:
        return ActionKind(name).label.replace("_", " ").capitalize()
    return name.replace("_", " ").capitalize()


def bars(counts: dict) -> list[dict]:
    """Rows for a CSS bar chart: label, count and width in percent of the largest."""
    top = max(counts.values(), default=0)
    return [{"label": _label(name), "count": n, "width": round(100 * n / top) if top else 0}
            for name, n in counts.items()]


def presets(today: date | None = None) -> list[dict]:
    """Periods one click away: the last 7, 30 and 90 days, this year, the last 365 days."""
    today = today or timezone.localdate()
    days = [("Last 7 days", 6), ("Last 30 days", 30), ("Last 90 days", 90)]
    rows = [{"label": label, "first": (today - timedelta(days=n)).isoformat()}
            for label, n in days]
    rows.append({"label": "This year", "first": today.replace(month=1, day=1).isoformat()})
    rows.append({"label": "Last 365 days", "first": (today - timedelta(days=365)).isoformat()})
    return [row | {"last": today.isoformat()} for row in rows]


def _charts(report: dict) -> dict:
    daily = report["daily"]
    seen = report["exposure"]["views_before_action"]
    return {
        "daily_chart": daily_chart(
            {"Notices": daily["notices"], "Actions": daily["actions"]},
            "Notices received and actions taken per day", "tr-chart-daily"),
        "exposure_chart": bar_chart(
            [(f"{label} views", n) for label, n in seen["buckets"].items()],
            "Removed or held posts by views before action", "tr-chart-exposure"),
    }


def _duty_context(report: dict) -> dict:
    if "appeals" not in report:  # the DSA profile leaves these sections out
        return {}
    return {
        "reversal_rate": percent(report["appeals"]["reversal_rate"]),
        "removal_orders_met": percent(report["removal_orders"]["share_met"]),
        "handling": [
            {**h, "label": _label(source), "average": duration(h["average_seconds"]),
             "median": duration(h["median_seconds"])}
            for source, h in report["notice_handling"].items()
        ],
    }


def page_context(report: dict) -> dict:
    pro, exp = report["proactive"], report["exposure"]
    return _charts(report) | _duty_context(report) | {
        "r": report,
        "notice_bars": bars(report["notices"]["by_source"]),
        "notice_category_bars": bars(report["notices"]["by_category"]),
        "action_bars": bars(report["actions"]["by_type"]),
        "action_category_bars": bars(report["actions"]["by_category"]),
        "proactive_share": percent(pro["share"]),
        "proactive_rows": [
            {**v, "label": _label(c), "share": percent(v["share"]),
             "width": round(100 * (v["share"] or 0))}
            for c, v in pro["by_category"].items()
        ],
        "hidden_share": percent(exp["never_publicly_visible_share"]),
        "hidden_width": round(100 * (exp["never_publicly_visible_share"] or 0)),
        "median_to_action": duration(report["time_to_action"]["median_seconds"]),
        "p95_to_action": duration(report["time_to_action"]["p95_seconds"]),
        "median_exposure": duration(exp["exposure_time"]["median_seconds"]),
    }


def standalone_html(report: dict) -> str:
    """One HTML file with the stylesheet inside: no server, network or script needed."""
    context = page_context(report) | {
        "r": report, "css": CSS.read_text(encoding="utf-8"),
        "instance_title": getattr(settings, "PARLEY_INSTANCE_TITLE", "Parley"),
    }
    return render_to_string("safety/transparency_standalone.html", context)


