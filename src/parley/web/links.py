"""Absolute links for mails (confirmation, password reset) and account addresses."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

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


def account_domain(request: HttpRequest) -> str:
    """The domain part of account addresses (``name@domain``): like Mastodon's, no port."""
    if settings.PARLEY_DOMAIN not in LOCAL_DOMAINS:
        return settings.PARLEY_DOMAIN
    domain, _port = split_domain_port(request.get_host())
    return domain or settings.PARLEY_DOMAIN
