"""The transparency report as CSV (one number a row) and as plain text."""

from __future__ import annotations

import csv
import io

CSV_HEADER = ("section", "metric", "key", "value")
SECTIONS = ("notices", "actions", "daily", "proactive", "time_to_action", "exposure",
            "appeals", "suspensions", "notice_handling", "removal_orders", "account_deletions")


def _leaves(data: dict, prefix: str = ""):
    for name, value in data.items():
        path = f"{prefix}.{name}" if prefix else str(name)
        if isinstance(value, dict):
            yield from _leaves(value, path)
        else:
            yield path, value


def _rows(section: str, data: dict):
    """One row per number: nested keys are joined with dots, table rows with slashes."""
    for metric, value in data.items():
        if isinstance(value, list):
            for item in value:
                key = "/".join(str(v) for k, v in item.items() if k != "count")
                yield (section, metric, key, item["count"])
        elif isinstance(value, dict):
            for key, leaf in _leaves(value):
                yield (section, metric, key, leaf)
        else:
            yield (section, metric, "", value)


def report_rows(report: dict) -> list[tuple]:
    rows = [("period", "from", "", report["period"]["from"]),
            ("period", "to", "", report["period"]["to"]),
            ("period", "timezone", "", report["period"]["timezone"]),
            ("dsa_profile", "name", "", report["dsa_profile"]["name"])]
    for section in SECTIONS:
        if section in report:  # the DSA profile leaves some out
            rows.extend(_rows(section, report[section]))
    return rows


def report_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in report_rows(report):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def duration(seconds: float | None) -> str:
    """Seconds in the largest sensible unit: 45 s, 12 min, 3.5 h, 2.0 days."""
    if seconds is None:
        return "n/a"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f}%"


def _counts(title: str, counts: dict) -> list[str]:
    lines = [f"  {title}:"]
    lines += [f"    {name:<32} {n:>7}" for name, n in counts.items()] or ["    (none)"]
    return lines


def _exposure_lines(report: dict) -> list[str]:
    t, e = report["time_to_action"], report["exposure"]
    seen = e["views_before_action"]
    buckets = ", ".join(f"{label}: {n}" for label, n in seen["buckets"].items())
    return [
        f"Found proactively: {percent(report['proactive']['share'])} of "
        f"{report['proactive']['actioned_cases']} actioned cases",
        f"Time from post to hold or removal: median {duration(t['median_seconds'])}, "
        f"p95 {duration(t['p95_seconds'])} ({t['count']} posts)",
        f"Never publicly visible: {percent(e['never_publicly_visible_share'])} of "
        f"{e['actioned_posts']} actioned posts; median exposure of the others "
        f"{duration(e['exposure_time']['median_seconds'])}",
        f"Views before action, posts per bucket: {buckets} ({seen['total']} views in all)",
        f"  {e['note']}",
    ]


def _duty_lines(report: dict) -> list[str]:
    ap, s, ro = report["appeals"], report["suspensions"], report["removal_orders"]
    lines = [
        f"Appeals: {ap['filed']} filed, {ap['decided']} decided, {ap['reversed']} reversed "
        f"(reversal rate {percent(ap['reversal_rate'])})",
        f"Suspensions: {s['total']} ({s['automated']} automated, {s['permanent']} permanent)",
        f"Removal orders: {ro['received']} received, {ro['met_deadline']} met the deadline, "
        f"{ro['missed_deadline']} missed, {ro['pending']} pending",
        "",
        "Time to decide notices by source:",
    ]
    for source, h in report["notice_handling"].items():
        lines.append(f"  {source:<20} average {duration(h['average_seconds']):>10}  "
                     f"({h['decided']} decided, {h['pending']} pending)")
    return lines


def report_text(report: dict) -> str:
    p, n, a = report["period"], report["notices"], report["actions"]
    lines = [f"Transparency report {p['from']} to {p['to']} ({p['timezone']})",
             f"DSA profile: {report['dsa_profile']['label']}", "",
             f"Notices: {n['total']} ({n['from_people']} from people)"]
    lines += _counts("by source", n["by_source"]) + _counts("by category", n["by_category"])
    lines += ["", f"Actions: {a['total']} ({a['restrictions']} restrictions, "
                  f"{a['automated']} automated)"]
    lines += _counts("by type", a["by_type"]) + _counts("by category", a["by_category"])
    lines += ["", *_exposure_lines(report)]
    deleted = report["account_deletions"]
    lines += [f"Accounts deleted by their owners: {deleted['requested']} "
              f"({deleted['purged']} purged after the grace period)"]
    if "appeals" in report:
        lines += ["", *_duty_lines(report)]
    return "\n".join(lines) + "\n"
