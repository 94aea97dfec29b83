"""The public transparency page and its JSON and CSV downloads (no login)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from parley.core.errors import ValidationFailed
from parley.safety.cases.models import ActionKind, NoticeSource
from parley.safety.policy import POLICY
from parley.safety.transparency.formats import duration, percent, report_csv
from parley.safety.transparency.selectors import Period, build_report, parse_period

SOURCE_LABELS = {
    NoticeSource.MEMBER: "Member reports",
    NoticeSource.PUBLIC: "Public notice form",
    NoticeSource.HOSTING_PROVIDER: "Hosting providers",
    NoticeSource.TRUSTED_FLAGGER: "Trusted flaggers",
    NoticeSource.AUTHORITY: "Authorities",
    NoticeSource.SCREENING: "Our automated screening",
}


def _cache_seconds() -> int:
    return int(getattr(settings, "PARLEY_TRANSPARENCY_CACHE_SECONDS", 300))


def cached_report(period: Period) -> dict:
    """Public and unauthenticated, so computed at most once per period every few minutes."""
    key = f"transparency:{period.first}:{period.last}"
    report = cache.get(key)
    if report is None:
        report = build_report(period)
        cache.set(key, report, _cache_seconds())
    return report


def _period(request: HttpRequest) -> Period:
    return parse_period(request.GET.get("from") or None, request.GET.get("to") or None)


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


def _page_context(report: dict) -> dict:
    pro, exp = report["proactive"], report["exposure"]
    return {
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
        "reversal_rate": percent(report["appeals"]["reversal_rate"]),
        "removal_orders_met": percent(report["removal_orders"]["share_met"]),
        "handling": [
            {**h, "label": _label(source), "average": duration(h["average_seconds"]),
             "median": duration(h["median_seconds"])}
            for source, h in report["notice_handling"].items()
        ],
    }


def transparency(request: HttpRequest) -> HttpResponse:
    query = request.GET.urlencode()
    try:
        period = _period(request)
    except ValidationFailed as exc:
        return render(request, "safety/transparency.html",
                      {"error": exc.message,
                       "first": request.GET.get("from", ""), "last": request.GET.get("to", ""),
                       "query": query}, status=422)
    context = _page_context(cached_report(period))
    context.update(first=period.first.isoformat(), last=period.last.isoformat(), query=query)
    return render(request, "safety/transparency.html", context)


def transparency_json(request: HttpRequest) -> HttpResponse:
    try:
        period = _period(request)
    except ValidationFailed as exc:
        return JsonResponse({"error": exc.message}, status=422)
    return JsonResponse(cached_report(period), json_dumps_params={"indent": 1})


def transparency_csv(request: HttpRequest) -> HttpResponse:
    try:
        period = _period(request)
    except ValidationFailed as exc:
        return JsonResponse({"error": exc.message}, status=422)
    response = HttpResponse(report_csv(cached_report(period)), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="transparency-{period.first}-{period.last}.csv"')
    return response
