"""The public transparency page and its JSON and CSV downloads (no login)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from parley.core.errors import ValidationFailed
from parley.safety.transparency.formats import report_csv
from parley.safety.transparency.html import page_context, presets
from parley.safety.transparency.profiles import dsa_profile
from parley.safety.transparency.selectors import Period, build_report, parse_period


def _cache_seconds() -> int:
    return int(getattr(settings, "PARLEY_TRANSPARENCY_CACHE_SECONDS", 300))


def cached_report(period: Period) -> dict:
    """Public and unauthenticated, so computed at most once per period every few minutes."""
    key = f"transparency:{dsa_profile().name}:{period.first}:{period.last}"
    report = cache.get(key)
    if report is None:
        report = build_report(period)
        cache.set(key, report, _cache_seconds())
    return report


def _period(request: HttpRequest) -> Period:
    return parse_period(request.GET.get("from") or None, request.GET.get("to") or None)


def transparency(request: HttpRequest) -> HttpResponse:
    query = request.GET.urlencode()
    try:
        period = _period(request)
    except ValidationFailed as exc:
        return render(request, "safety/transparency.html",
                      {"error": exc.message, "presets": presets(),
                       "first": request.GET.get("from", ""), "last": request.GET.get("to", ""),
                       "query": query}, status=422)
    context = page_context(cached_report(period))
    context.update(first=period.first.isoformat(), last=period.last.isoformat(), query=query,
                   presets=presets())
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
