"""The health check: a bare Django view (no database, no session), for load balancers and
as the ceiling `parley bench load` compares every endpoint with."""

from django.http import HttpRequest, JsonResponse


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})
