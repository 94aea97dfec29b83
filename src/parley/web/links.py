"""Absolute links for mails (confirmation, password reset)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

LOCAL_DOMAINS = {"localhost", "127.0.0.1", "[::1]"}


def site_domain(request: HttpRequest) -> str:
    """The configured public domain; the request's host only when none is configured.

    Never the Host header in production: ALLOWED_HOSTS may be "*", and a forged Host would
    send a password-reset link to someone else's server."""
    if settings.PARLEY_DOMAIN not in LOCAL_DOMAINS:
        return settings.PARLEY_DOMAIN
    return request.get_host()


def site_url(request: HttpRequest) -> str:
    scheme = "https" if settings.PARLEY_DOMAIN not in LOCAL_DOMAINS else request.scheme
    return f"{scheme}://{site_domain(request)}"
