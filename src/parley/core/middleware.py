"""Middleware that keeps forged forwarding headers from untrusted peers out of the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from parley.core.ratelimits import is_trusted_proxy

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


def untrusted_forwarding_headers(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Drop X-Forwarded-* unless the peer is in PARLEY_TRUSTED_PROXIES.

    Django believes SECURE_PROXY_SSL_HEADER from anyone; a client that reaches the server
    without going through the proxy must not be able to claim HTTPS."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for header in FORWARDING_HEADERS:
                request.META.pop(header, None)
        return get_response(request)

    return middleware
