"""The health check: a bare Django view (no database, no session), for load balancers and
as the ceiling `parley bench load` compares every endpoint with; and the bench's bare view
doing one insert, which posting is compared with."""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from parley.core.models import BenchInsert


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@csrf_exempt
def one_insert(request: HttpRequest) -> JsonResponse:
    """POST: insert one row. Served only with PARLEY_BENCH_VIEWS=on (the load bench's
    servers); 404 otherwise, so an instance never exposes it."""
    if not settings.PARLEY_BENCH_VIEWS:
        return JsonResponse({"error": "Not found"}, status=404)
    if request.method != "POST":
        return JsonResponse({"error": "Method not allowed"}, status=405)
    return JsonResponse({"id": BenchInsert.objects.create().pk}, status=201)
