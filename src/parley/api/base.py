"""What every API endpoint shares: Mastodon's error JSON, auth and scopes, rate-limit
headers, parameter parsing (JSON, form, query; ``key[]`` lists; ``1``/``true``) and paging."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parley.api.limits import text_limit
from parley.core import ratelimits
from parley.core.errors import (
    NotAllowed,
    NotFound,
    ParleyError,
    RateLimited,
    ValidationFailed,
)


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


class UserRequired(ParleyError):
    """A token of no user (``client_credentials``) on an endpoint that acts as a member.
    Mastodon answers 422 here, not 401: the token itself is valid."""

    status = 422


class AnonymousOr:
    """An endpoint anyone may read without a token; a token used on it must still carry
    ``scope`` (Mastodon's ``authorize_if_got_token!``), else 403: an unrelated token never
    reads as its user."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = scopes

    def __repr__(self) -> str:
        return f"AnonymousOr{self.scopes!r}"


# What a method needs: None (nothing), a scope, alternatives (any one), or AnonymousOr(...).
Needed = str | tuple[str, ...] | AnonymousOr | None


class MastodonAPIView(APIView):
    """Base of every Mastodon-compatible endpoint.

    ``scopes`` maps an HTTP method to what it needs (see ``Needed``); HEAD needs what GET
    needs."""

    scopes: dict[str, Needed] = {}
    moderators_only = False

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_scopes(request, needed_for(self.scopes, request.method))
        if self.moderators_only and not getattr(request.user, "is_moderator", False):
            raise NotAllowed("This action is not allowed")
        token = getattr(request, "auth", None)
        if token is not None:
            state = ratelimits.hit("api_token", token.pk)
        else:
            state = ratelimits.hit("api_ip", ratelimits.client_ip(request))
        self._rate_state = state
        refuse_unknown_ids(kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return with_rate_headers(response, getattr(self, "_rate_state", None))


def needed_for(scopes: dict[str, Needed], method: str) -> Needed:
    method = "GET" if method == "HEAD" else method
    return scopes.get(method, scopes.get("*"))


def check_scopes(request: Request, needed: Needed) -> None:
    """Apply one entry of a view's ``scopes`` table to the request."""
    if needed is None:
        return
    if isinstance(needed, AnonymousOr):
        if getattr(request, "auth", None) is not None:
            require_token_scope(request, needed.scopes)
            if request.user is not None:
                require_usable_login(request.user)
        return
    require_scope(request, needed)


def with_rate_headers(response: Response, state) -> Response:
    """Mastodon's X-RateLimit-* headers for the bucket this request was counted in."""
    if state is not None:
        for key, value in _rate_headers(state.limit, state.remaining, state.reset_at).items():
            response[key] = value
    return response


def require_scope(request: Request, needed: str | tuple[str, ...]) -> None:
    """Raise 401 without a valid token, 403 when the token lacks every one of ``needed``,
    422 for a token of no user (``client_credentials``), as Mastodon answers."""
    scopes = (needed,) if isinstance(needed, str) else needed
    require_token_scope(request, scopes)
    user = request.user
    if user is None or not user.is_authenticated:
        raise UserRequired("This method requires an authenticated user")
    if all(s.startswith("admin:") for s in scopes) and not user.is_moderator:
        raise NotAllowed("This action is not allowed")
    require_usable_login(user)


def require_token_scope(request: Request, scopes: tuple[str, ...]) -> None:
    from parley.api.oauth import scope_satisfied

    token = getattr(request, "auth", None)
    if token is None:
        raise drf_exceptions.NotAuthenticated()
    granted = set((token.scope or "").split())
    if not any(scope_satisfied(granted, s) for s in scopes):
        raise NotAllowed("This action is outside the authorized scopes")


def require_usable_login(user) -> None:
    if not user.is_approved or user.is_suspended:
        raise NotAllowed("Your login is currently disabled")


def viewer(request: Request):
    """The member a request reads as; None for anonymous requests and app-only tokens."""
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
    return checked_text(name, str(value))


def checked_text(name: str, value: str) -> str:
    """Refuse NUL characters (PostgreSQL cannot store them) and text over the field's limit."""
    if "\x00" in value:
        raise ValidationFailed(f"Validation failed: {name} must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationFailed(f"Validation failed: {name} must be valid Unicode") from None
    limit = text_limit(name)
    if len(value) > limit:
        raise ValidationFailed(f"Validation failed: {name} is too long ({limit} at most)")
    return value


# Ids are 64-bit signed integers; anything else cannot name a record.
MAX_ID = 2**63 - 1
DIGITS = re.compile(r"[+-]?[0-9]{1,19}")
MAX_OFFSET = 2**31


def parse_id(raw: Any) -> int | None:
    """An id in ASCII digits within 64 bits, else None."""
    text = str(raw).strip()
    if not DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 <= value <= MAX_ID else None


def id_or_404(raw: Any) -> int:
    """The id a client names; one that cannot exist is "Record not found"."""
    value = parse_id(raw)
    if value is None:
        raise NotFound("Record not found")
    return value


def refuse_unknown_ids(path_params: dict[str, Any]) -> None:
    for name, value in path_params.items():
        if name.endswith("_id") and parse_id(value) is None:
            raise NotFound("Record not found")


def param_int(request: Request, name: str, default: int | None = None) -> int | None:
    value = param_raw(request, name)
    if value in (None, ""):
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed(f"Validation failed: {name} must be a number")
    text = str(value).strip()
    if not DIGITS.fullmatch(text):
        if re.fullmatch(r"[+-]?[0-9]+", text):
            raise ValidationFailed(f"Validation failed: {name} is out of range")
        raise ValidationFailed(f"Validation failed: {name} must be a number")
    number = int(text)
    if abs(number) > MAX_ID:
        raise ValidationFailed(f"Validation failed: {name} is out of range")
    return number


def param_datetime(request: Request, name: str) -> datetime | None:
    """An ISO 8601 date and time (UTC when it names no zone); 422 when it is not one."""
    value = param_raw(request, name)
    if value in (None, ""):
        return None
    parsed = None
    if isinstance(value, str) and len(value) <= 64:
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValidationFailed(f"Validation failed: {name} is not an ISO 8601 date and time")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def param_limit(request: Request, default: int, maximum: int) -> int:
    """Mastodon clamps ``limit`` to 1..maximum rather than refusing it."""
    value = param_int(request, "limit", default)
    return max(1, min(value if value is not None else default, maximum))


def param_offset(request: Request) -> int:
    value = param_int(request, "offset", 0) or 0
    return max(0, min(value, MAX_OFFSET))


def param_bool(request: Request, name: str, default: bool = False) -> bool:
    value = param_raw(request, name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "t"}


def param_list(request: Request, name: str) -> list[str]:
    return [checked_text(name, value) for value in _raw_list(request, name)]


def param_ids(request: Request, name: str) -> list[int]:
    """A list of ids; a value that cannot be an id is refused (422)."""
    ids = []
    for raw in param_list(request, name):
        value = parse_id(raw)
        if value is None:
            raise ValidationFailed(f"Validation failed: {name} must be a list of ids")
        ids.append(value)
    return ids


# How many ids one multiple-id fetch (GET /statuses, /accounts with id[]) may name.
MAX_FETCH_IDS = 40


def param_fetch_ids(request: Request) -> list[int]:
    """The ``id[]`` of a multiple-id fetch: ids only, at most ``MAX_FETCH_IDS`` (422)."""
    ids = param_ids(request, "id")
    if len(ids) > MAX_FETCH_IDS:
        raise ValidationFailed(f"Validation failed: at most {MAX_FETCH_IDS} ids (id[])")
    return ids


def refuse_unsupported(request: Request, names: dict[str, str]) -> None:
    """422 for parameters of features Parley does not have yet, rather than ignoring them."""
    keys = set()
    for source in _sources(request):
        if hasattr(source, "items"):
            keys.update(key for key, value in source.items() if value not in (None, ""))
    for name, message in names.items():
        if any(key == name or key.startswith(f"{name}[") for key in keys):
            raise ValidationFailed(message)


def _raw_list(request: Request, name: str) -> list[str]:
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
