"""The bench's results as a terminal table and a self-contained HTML page (inline SVG)."""

from __future__ import annotations

import html

from rich.table import Table

TARGETS = {  # issue 12's targets, shown beside the numbers
    "share_never_publicly_visible": ">= 0.50",
    "share_actioned_within_1h": ">= 0.95",
    "exposure_minutes_p95": "< 15",
    "cases_per_1000_posts": "<= 20",
    "share_with_a_case": ">= 0.80",
    "false_holds_per_10000": "<= 10",
}


def rows(result: dict) -> list[tuple[str, str, str]]:
    v, e, b, c, m = (result[k] for k in ("violating", "exposure", "benign", "cases",
                                         "moderators"))

    def fmt(value, digits: int = 1) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.{digits}f}"
        return str(value)

    def pct(value) -> str:
        return "-" if value is None else f"{value * 100:.1f}%"

    return [
        ("posts (violating / benign, of them hard benign)",
         f"{result['posts']['total']} ({v['total']} / {b['total']}, "
         f"{result['posts']['hard_benign']})", ""),
        ("violating never publicly visible", f"{pct(v['share_never_publicly_visible'])} "
         f"({v['never_publicly_visible']})", TARGETS["share_never_publicly_visible"]),
        ("violating found proactively", f"{pct(v['share_found_proactively'])} "
         f"({v['found_proactively']})", ""),
        ("violating with a case (case recall)", f"{pct(v['share_with_a_case'])}",
         TARGETS["share_with_a_case"]),
        ("violating actioned (held or removed)", f"{v['actioned']} of {v['total']}", ""),
        ("actioned within 1 hour", pct(v["share_actioned_within_1h"]),
         TARGETS["share_actioned_within_1h"]),
        ("actioned within 24 hours", pct(v["share_actioned_within_24h"]), ""),
        ("exposure, views: median / p95 / max",
         " / ".join(fmt(e["views"][k]) for k in ("median", "p95", "max")), ""),
        ("exposure, minutes: median / p95 / max",
         " / ".join(fmt(e["minutes"][k]) for k in ("median", "p95", "max")),
         f"p95 {TARGETS['exposure_minutes_p95']}"),
        ("violating views per 10,000 views", fmt(e["violating_views_per_10000_views"], 2), ""),
        ("false holds per 10,000 benign", f"{fmt(b['false_holds_per_10000'])} ({b['held']})",
         TARGETS["false_holds_per_10000"]),
        ("false removals per 10,000 benign",
         f"{fmt(b['false_removals_per_10000'])} ({b['removed']})", ""),
        ("cases opened per 1,000 posts", f"{fmt(c['per_1000_posts'])} ({c['opened']}; "
         f"{c['on_benign_posts']} on benign posts)", TARGETS["cases_per_1000_posts"]),
        ("open cases: peak / at the end", f"{c['peak_backlog']} / {c['open_at_end']}", ""),
        ("moderator-minutes per violating post removed",
         fmt(m["minutes_per_violating_post_removed"], 2),
         f"{m['count']} moderators, {m['pace_seconds']:g} s/case, {m['decisions']} decisions"),
    ]


def table(result: dict) -> Table:
    out = Table(title="parley bench safety")
    out.add_column("measure")
    out.add_column("value", justify="right")
    out.add_column("target / note")
    for name, value, note in rows(result):
        out.add_row(name, value, note)
    return out


def backlog_svg(backlog: list[dict], width: int = 640, height: int = 240) -> str:
    """Open cases over simulated hours as a line chart."""
    left, bottom, top, right = 48, 32, 16, 16
    if not backlog:
        return "<p>No backlog samples.</p>"
    hours = max(p["hour"] for p in backlog) or 1
    peak = max(max(p["open"] for p in backlog), 1)

    def x(h: float) -> float:
        return left + h / hours * (width - left - right)

    def y(n: float) -> float:
        return height - bottom - n / peak * (height - bottom - top)

    points = " ".join(f"{x(p['hour']):.1f},{y(p['open']):.1f}" for p in [
        {"hour": 0, "open": 0}, *backlog])
    unclaimed = " ".join(f"{x(p['hour']):.1f},{y(p['unclaimed']):.1f}" for p in backlog)
    ticks = "".join(
        f'<text x="{x(h):.1f}" y="{height - 12}" text-anchor="middle">{h:g}</text>'
        for h in _ticks(hours))
    yticks = "".join(
        f'<text x="{left - 6}" y="{y(n) + 4:.1f}" text-anchor="end">{n:g}</text>'
        f'<line x1="{left}" x2="{width - right}" y1="{y(n):.1f}" y2="{y(n):.1f}" '
        f'stroke="#ddd"/>' for n in _ticks(peak))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="Open cases over simulated hours" font-family="sans-serif" font-size="11">'
        f'{yticks}{ticks}'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="#333"/><line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" '
        f'stroke="#333"/>'
        f'<polyline fill="none" stroke="#c0392b" stroke-width="2" points="{points}"/>'
        f'<polyline fill="none" stroke="#2980b9" stroke-width="1.5" stroke-dasharray="4 3" '
        f'points="{unclaimed}"/>'
        f'<text x="{width - right}" y="{top + 10}" text-anchor="end" fill="#c0392b">open cases'
        f'</text><text x="{width - right}" y="{top + 24}" text-anchor="end" fill="#2980b9">'
        f'unclaimed</text>'
        f'<text x="{(width + left) / 2}" y="{height - 1}" text-anchor="middle">simulated hour'
        f'</text></svg>'
    )


def _ticks(top: float) -> list[float]:
    step = 1.0
    for candidate in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        step = candidate
        if top / candidate <= 6:
            break
    return [i * step for i in range(int(top // step) + 1)]


def html_report(result: dict, command: str) -> str:
    body = "".join(
        f"<tr><td>{html.escape(name)}</td><td class=n>{html.escape(value)}</td>"
        f"<td>{html.escape(note)}</td></tr>" for name, value, note in rows(result))
    params = html.escape(", ".join(f"{k}={v}" for k, v in result["parameters"].items()))
    timing = result["timing"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>parley bench safety</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 60em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .3em .8em; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
code {{ background: #f4f4f4; padding: .1em .3em; }}
</style></head><body>
<h1>The safety process, replayed</h1>
<p><code>{html.escape(command)}</code></p>
<p>{params}. Ran in {timing['real_seconds']} s
({timing['real_seconds_per_simulated_hour']} s per simulated hour).</p>
<table><tr><th>measure</th><th>value</th><th>target / note</th></tr>{body}</table>
<h2>Backlog over time</h2>
<p>Open cases each time the moderators come back to the queue (every simulated step,
before they work it).</p>
{backlog_svg(result['backlog'])}
<p>Exposure is in simulated minutes from posting to hold or removal; a violating post never
actioned counts until the end of the run. Views are timeline reads by the replayed members.</p>
</body></html>
"""
