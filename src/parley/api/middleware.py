"""Every /api/ and /oauth/ answer is Mastodon's error JSON, whatever failed: oversized or
NUL-laden input is refused before any view runs, and errors raised outside DRF's handler
(unknown paths, Django's own 400s, a full disk, bugs) are turned into ``{"error": ...}``."""

from __future__ import annotations

import errno
import logging
import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

log = logging.getLogger("parley.api")

API_PREFIXES = ("/api/", "/oauth/")
# Pages for people (the consent screen, the browsable docs) keep their own error pages.
HTML_PAGES = ("/oauth/authorize", "/api/docs")
MESSAGES = {
    400: "Malformed request",
    401: "The access token is invalid",
    403: "This action is not allowed",
    404: "Record not found",
    405: "Method not allowed",
    413: "Request body too large",
    429: "Too many requests",
    500: "Internal server error: the failure was logged",
}
NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
# A JSON \u0000 escape: an odd number of backslashes before u0000.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
NUL_MESSAGE = "Validation failed: text must not contain NUL characters"


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def error_response(status: int, message: str | None = None) -> JsonResponse:
    return JsonResponse({"error": message or MESSAGES.get(status, "Request failed")}, status=status)


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path):
            return self.get_response(request)
        refusal = refuse_input(request)
        if refusal is not None:
            return refusal
        return as_json_error(request, self.get_response(request))

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not is_api_path(request.path):
            return None
        return exception_response(request, exc)


def refuse_input(request: HttpRequest) -> JsonResponse | None:
    """413 for bodies over the limit, 404/422 for NUL characters (PostgreSQL rejects them)."""
    if "\x00" in request.path:
        return error_response(404)
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return error_response(422, NUL_MESSAGE)
    length = _content_length(request)
    if length is None:
        return error_response(400, "Malformed request: bad Content-Length")
    if request.content_type == "multipart/form-data":
        return _refuse_multipart(request, length)
    limit = settings.PARLEY_MAX_API_BODY_BYTES
    if length > limit:
        return error_response(413, _too_large(limit))
    try:
        body = request.body
    except RequestDataTooBig:
        return error_response(413, _too_large(limit))
    if len(body) > limit:
        return error_response(413, _too_large(limit))
    if _has_nul(body, request.content_type):
        return error_response(422, NUL_MESSAGE)
    return None


def _refuse_multipart(request: HttpRequest, length: int) -> JsonResponse | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length > limit:
        return error_response(413, _too_large(limit))
    try:
        fields = list(request.POST.lists())
    except RequestDataTooBig:
        return error_response(413, _too_large(limit))
    except (SuspiciousOperation, MultiPartParserError) as exc:
        return error_response(400, f"Malformed request: {exc}")
    if any("\x00" in value for _, values in fields for value in values):
        return error_response(422, NUL_MESSAGE)
    return None


def _content_length(request: HttpRequest) -> int | None:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return None


def _too_large(limit: int) -> str:
    return f"Request body too large (at most {limit} bytes)"


def _has_nul(body: bytes, content_type: str) -> bool:
    if b"\x00" in body:
        return True
    if content_type == "application/x-www-form-urlencoded":
        return b"%00" in body
    return content_type.endswith("json") and JSON_NUL.search(body) is not None


def as_json_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Django's HTML error pages (unknown path, SuspiciousOperation) become error JSON."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return response
    if request.path.startswith(HTML_PAGES) and response.status_code < 500:
        return response
    replacement = error_response(response.status_code)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            replacement[header] = response[header]
    return replacement


def exception_response(request: HttpRequest, exc: Exception) -> JsonResponse:
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    if isinstance(exc, SuspiciousOperation):
        return error_response(400, f"Malformed request: {exc}")
    if isinstance(exc, RecursionError):
        return error_response(400, "Malformed request: nested too deeply")
    if _out_of_space(exc):
        log.error("Out of storage space answering %s %s: %s", request.method, request.path, exc)
        return error_response(507, "Insufficient storage: the server is out of disk space; "
                                   "try again later")
    log.exception("Internal server error: %s %s", request.method, request.path)
    return error_response(500)


def _out_of_space(exc: Exception) -> bool:
    if isinstance(exc, OSError) and exc.errno in NO_SPACE:
        return True
    return isinstance(exc, OperationalError) and "disk is full" in str(exc)
