"""What every API endpoint shares: Mastodon's error JSON, auth and scopes, rate-limit
headers, parameter parsing (JSON, form, query; ``key[]`` lists; ``1``/``true``) and paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parley.core import ratelimits
from parley.core.errors import NotAllowed, ParleyError, RateLimited, ValidationFailed


def mastodon_exception_handler(exc: Exception, context: dict) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers = _rate_headers(exc.limit, exc.remaining, exc.reset_at)
        return Response({"error": exc.message}, status=429, headers=headers)
    if isinstance(exc, ParleyError):
        return Response({"error": exc.message}, status=exc.status)
    if isinstance(exc, Http404):
        return Response({"error": "Record not found"}, status=404)
    if isinstance(exc, DjangoValidationError):
        return Response({"error": " ".join(exc.messages)}, status=422)
    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        return Response({"error": "The access token is invalid"}, status=401)
    if isinstance(exc, drf_exceptions.ParseError):
        return Response({"error": f"Malformed request: {exc.detail}"}, status=400)
    if isinstance(exc, drf_exceptions.UnsupportedMediaType):
        return Response({"error": str(exc.detail)}, status=415)
    if isinstance(exc, drf_exceptions.APIException):
        detail = exc.detail
        message = detail if isinstance(detail, str) else str(detail)
        return Response({"error": message}, status=exc.status_code)
    return None


def _rate_headers(limit: int, remaining: int, reset_at: float | None) -> dict[str, str]:
    from datetime import UTC, datetime

    reset = datetime.fromtimestamp(reset_at or 0, tz=UTC).isoformat().replace("+00:00", "Z")
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": reset,
    }


class MastodonAPIView(APIView):
    """Base of every Mastodon-compatible endpoint.

    ``scopes`` maps an HTTP method to the OAuth scope it needs (None: no token needed)."""

    scopes: dict[str, str | None] = {}
    moderators_only = False

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        needed = self.scopes.get(request.method, self.scopes.get("*"))
        if needed is not None:
            require_scope(request, needed)
        if self.moderators_only and not request.user.is_moderator:
            raise NotAllowed("This action is not allowed")
        token = getattr(request, "auth", None)
        if token is not None:
            state = ratelimits.hit("api_token", token.pk)
        else:
            state = ratelimits.hit("api_ip", ratelimits.client_ip(request))
        self._rate_state = state

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return with_rate_headers(response, getattr(self, "_rate_state", None))


def with_rate_headers(response: Response, state) -> Response:
    """Mastodon's X-RateLimit-* headers for the bucket this request was counted in."""
    if state is not None:
        for key, value in _rate_headers(state.limit, state.remaining, state.reset_at).items():
            response[key] = value
    return response


def require_scope(request: Request, needed: str) -> None:
    """Raise 401 without a valid token, 403 when the token lacks ``needed``."""
    from parley.api.oauth import scope_satisfied

    token = getattr(request, "auth", None)
    if token is None or not request.user.is_authenticated:
        raise drf_exceptions.NotAuthenticated()
    granted = set((token.scope or "").split())
    if not scope_satisfied(granted, needed):
        raise NotAllowed("This action is outside the authorized scopes")
    if needed.startswith("admin:") and not request.user.is_moderator:
        raise NotAllowed("This action is not allowed")
    if not request.user.is_approved or request.user.is_suspended:
        raise NotAllowed("Your login is currently disabled")


def viewer(request: Request):
    user = request.user
    return user if user is not None and user.is_authenticated else None


# -- parameters ----------------------------------------------------------------------------


def _sources(request: Request) -> list[Any]:
    sources: list[Any] = []
    if request.method not in ("GET", "HEAD"):
        try:
            sources.append(request.data)
        except drf_exceptions.ParseError:
            raise
    sources.append(request.query_params)
    return sources


def param_raw(request: Request, name: str) -> Any:
    for source in _sources(request):
        if hasattr(source, "getlist"):
            if name in source:
                return source.get(name)
        elif isinstance(source, dict) and name in source:
            return source[name]
    return None


def param_str(request: Request, name: str, default: str | None = None) -> str | None:
    value = param_raw(request, name)
    if value is None:
        return default
    if isinstance(value, list | dict):
        raise ValidationFailed(f"Validation failed: {name} must be a string")
    return str(value)


def param_int(request: Request, name: str, default: int | None = None) -> int | None:
    value = param_raw(request, name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"Validation failed: {name} must be a number") from None


def param_bool(request: Request, name: str, default: bool = False) -> bool:
    value = param_raw(request, name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "t"}


def param_list(request: Request, name: str) -> list[str]:
    for source in _sources(request):
        for key in (f"{name}[]", name):
            if hasattr(source, "getlist"):
                if key in source:
                    return [str(v) for v in source.getlist(key)]
            elif isinstance(source, dict) and key in source:
                value = source[key]
                if isinstance(value, list):
                    return [str(v) for v in value]
                return [str(value)]
    return []


# -- paging --------------------------------------------------------------------------------


def page_params(request: Request, default_limit: int = 20) -> dict[str, Any]:
    return {
        "max_id": param_int(request, "max_id"),
        "since_id": param_int(request, "since_id"),
        "min_id": param_int(request, "min_id"),
        "limit": param_int(request, "limit", default_limit),
    }


def link_header(
    request: Request, items: list, id_of: Callable[[Any], int] | None = None
) -> str | None:
    if not items:
        return None
    id_of = id_of or (lambda item: item.pk)
    base = request.build_absolute_uri(request.path)
    keep = {
        k: v for k, v in request.query_params.items() if k not in {"max_id", "since_id", "min_id"}
    }
    next_url = f"{base}?{urlencode({**keep, 'max_id': id_of(items[-1])})}"
    prev_url = f"{base}?{urlencode({**keep, 'min_id': id_of(items[0])})}"
    return f'<{next_url}>; rel="next", <{prev_url}>; rel="prev"'


def paged_response(
    request: Request, items: list, data: list, id_of: Callable[[Any], int] | None = None
) -> Response:
    response = Response(data)
    link = link_header(request, items, id_of)
    if link:
        response["Link"] = link
    return response
