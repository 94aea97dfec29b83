"""Serves uploads (post media, avatars, headers) to those who may see them, with safe
headers, conditional requests and byte ranges, or hands the bytes to the reverse proxy."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from parley.accounts import selectors as account_selectors
from parley.accounts.models import User
from parley.core.errors import NotFound
from parley.posts import selectors
from parley.posts.media import SIGNATURE_BYTES, detect_content_type

# Browsers may keep public media for a year (names never change content); shared caches
# re-ask after five minutes, so a removal reaches them quickly.
PUBLIC_CACHE = "public, max-age=31536000, s-maxage=300, immutable"
# Restricted media: the browser may keep it but asks every time, so access is rechecked.
PRIVATE_CACHE = "private, no-cache"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
# Where avatars and headers are stored (old and new names alike); post media is elsewhere.
PROFILE_IMAGE_FOLDERS = ("avatars/", "headers/")
CHUNK_BYTES = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class StoredFile:
    path: str
    size: int
    mtime: float
    content_type: str | None  # None: not one of the allowed image types

    @property
    def etag(self) -> str:
        return f'"{self.size:x}-{int(self.mtime * 1000):x}"'


def serve_media(request: HttpRequest, name: str) -> HttpResponseBase:
    """GET/HEAD /media/<name>: the file if the viewer may see it, else 404."""
    if request.method not in ("GET", "HEAD"):
        refused = JsonResponse({"error": "Method not allowed"}, status=405)
        refused["Allow"] = "GET, HEAD"
        return refused
    try:
        public = _may_see(name, _viewer(request))
        stored = _open_stored(name)
    except NotFound as exc:
        return JsonResponse({"error": exc.message}, status=404)
    headers = _headers(stored, public)
    not_modified = get_conditional_response(
        request, etag=stored.etag, last_modified=int(stored.mtime), response=_bare(headers)
    )
    if not_modified.status_code != 200:
        return not_modified
    if accel := _proxy_handoff(name, stored):
        return _with_headers(accel, headers)
    byte_range = _requested_range(request, stored)
    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{stored.size}"
        return _with_headers(response, headers)
    return _with_headers(_body(request, stored, byte_range), headers)


def _viewer(request: HttpRequest) -> User | None:
    """The member asking: the web session, or a Mastodon app's bearer token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    from oauth2_provider.oauth2_backends import get_oauthlib_core

    from parley.api.oauth import scope_satisfied

    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        return None
    granted = set((oauth_request.access_token.scope or "").split())
    return oauth_request.user if scope_satisfied(granted, "read:statuses") else None


def _may_see(name: str, viewer: User | None) -> bool:
    """Raise NotFound unless ``viewer`` may see the upload; return whether it is public."""
    if "\x00" in name:  # PostgreSQL refuses NUL in a query: it can be no stored name
        raise NotFound("Record not found")
    if name.startswith(PROFILE_IMAGE_FOLDERS):
        _, public = account_selectors.get_account_with_image(name, viewer)
        return public
    item = selectors.get_viewable_media(name, viewer)
    return selectors.media_is_public(item)


def _open_stored(name: str) -> StoredFile:
    try:
        path = default_storage.path(name)
        with open(path, "rb") as handle:
            head = handle.read(SIGNATURE_BYTES)
            stat = os.fstat(handle.fileno())
    except (OSError, SuspiciousFileOperation, NotImplementedError):
        raise NotFound("Record not found") from None
    return StoredFile(path, stat.st_size, stat.st_mtime, detect_content_type(head))


def _headers(stored: StoredFile, public: bool) -> dict[str, str]:
    headers = {
        "Content-Type": stored.content_type or "application/octet-stream",
        "ETag": stored.etag,
        "Last-Modified": http_date(stored.mtime),
        "Cache-Control": PUBLIC_CACHE if public else PRIVATE_CACHE,
        "Accept-Ranges": "bytes",
        **SECURITY_HEADERS,
    }
    # Anything that is not an allowed image (rows from before type detection) is only
    # ever downloaded, never rendered by the browser.
    headers["Content-Disposition"] = "inline" if stored.content_type else "attachment"
    return headers


def _bare(headers: dict[str, str]) -> HttpResponse:
    return _with_headers(HttpResponse(), headers)


def _with_headers(response: HttpResponseBase, headers: dict[str, str]) -> HttpResponseBase:
    for key, value in headers.items():
        response[key] = value
    return response


def _proxy_handoff(name: str, stored: StoredFile) -> HttpResponse | None:
    """An empty response telling nginx (X-Accel-Redirect) or Apache/lighttpd (X-Sendfile)
    to send the file, when configured; the proxy then handles ranges itself."""
    if prefix := settings.PARLEY_MEDIA_ACCEL_REDIRECT:
        response = HttpResponse()
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        return response
    if settings.PARLEY_MEDIA_SENDFILE:
        response = HttpResponse()
        response["X-Sendfile"] = stored.path
        return response
    return None


def _requested_range(request: HttpRequest, stored: StoredFile):
    """(start, end) inclusive, None for the whole file, or "unsatisfiable" (416).

    Several ranges or a malformed header are answered with the whole file, as RFC 9110
    allows; so is a range whose If-Range no longer matches."""
    header = request.headers.get("Range", "").strip()
    match = _RANGE.match(header.replace(" ", ""))
    if not match or not _if_range_holds(request, stored):
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or stored.size == 0:
            return "unsatisfiable"
        return max(stored.size - suffix, 0), stored.size - 1
    start = int(first)
    end = min(int(last), stored.size - 1) if last else stored.size - 1
    if start >= stored.size:
        return "unsatisfiable"
    if end < start:
        return None
    return start, end


def _if_range_holds(request: HttpRequest, stored: StoredFile) -> bool:
    if_range = request.headers.get("If-Range")
    if not if_range:
        return True
    if if_range.startswith('"'):
        return if_range == stored.etag
    since = parse_http_date_safe(if_range)
    return since is not None and int(stored.mtime) <= since


def _body(request: HttpRequest, stored: StoredFile, byte_range) -> HttpResponseBase:
    if byte_range is None:
        if request.method == "HEAD":
            response = HttpResponse()
            response["Content-Length"] = str(stored.size)
            return response
        return FileResponse(open(stored.path, "rb"))  # noqa: SIM115 - closed by Django
    start, end = byte_range
    length = end - start + 1
    if request.method == "HEAD":
        response = HttpResponse(status=206)
    else:
        response = StreamingHttpResponse(_read(stored.path, start, length), status=206)
    response["Content-Range"] = f"bytes {start}-{end}/{stored.size}"
    response["Content-Length"] = str(length)
    return response


def _read(path: str, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK_BYTES, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
