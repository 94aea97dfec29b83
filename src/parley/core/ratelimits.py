"""Rate limits shaped like Mastodon's: a fixed window per bucket and key, kept in the cache
(the database cache when embedded, Redis when scaled out). Switch off with
PARLEY_RATE_LIMITS=off; change limits with PARLEY_RATE_LIMIT_<BUCKET>="count/seconds"."""

from __future__ import annotations

import ipaddress
import os
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

from parley.core.errors import RateLimited

# bucket: (requests, window seconds) — Mastodon's defaults where it has them.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "api_token": (300, 300),  # per access token
    "api_ip": (300, 300),  # unauthenticated, per IP
    "signup_ip": (5, 1800),  # sign-ups per IP
    "signup_attempt_ip": (30, 1800),  # sign-up attempts per IP, failed ones included
    "app_ip": (10, 600),  # OAuth apps registered per IP
    "token_ip": (30, 300),  # token requests (POST /oauth/token) per IP
    "login_ip": (25, 300),  # login attempts per IP
    "login_account": (10, 300),  # failed-prone attempts per username
    "post_account": (300, 10800),  # posts per account per 3 hours
    "media_account": (30, 1800),
    "report_account": (20, 3600),  # reports per account per hour
    "notice_ip": (20, 3600),  # public notice form per IP
    "follow_account": (400, 86400),
    "mail_ip": (5, 1800),  # password-reset and confirmation mails per IP
    "archive_account": (1, 600),  # a member's own data archive: one per 10 minutes
}


@dataclass(frozen=True)
class RateState:
    limit: int
    remaining: int
    reset_at: float  # unix time


def limit_for(bucket: str) -> tuple[int, int]:
    override = os.environ.get(f"PARLEY_RATE_LIMIT_{bucket.upper()}")
    if override:
        count, seconds = override.split("/", 1)
        return int(count), int(seconds)
    return DEFAULT_LIMITS[bucket]


def hit(bucket: str, key: str | int) -> RateState:
    """Count one request against ``bucket`` for ``key``; raise RateLimited when over."""
    limit, period = limit_for(bucket)
    now = time.time()
    window = int(now // period)
    reset_at = (window + 1) * period
    if not settings.PARLEY_RATE_LIMITS:
        return RateState(limit, limit, reset_at)
    cache_key = f"rl:{bucket}:{key}:{window}"
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=period + 5)
        count = 1
    remaining = max(0, limit - count)
    if count > limit:
        raise RateLimited("Too many requests", limit=limit, remaining=0, reset_at=reset_at)
    return RateState(limit, remaining, reset_at)


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse_ip(value: str) -> IPAddress | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted_proxy(address: str) -> bool:
    """Whether ``address`` is one of PARLEY_TRUSTED_PROXIES (whose forwarding headers count)."""
    parsed = _parse_ip(address)
    networks = _networks(tuple(settings.PARLEY_TRUSTED_PROXIES))
    return parsed is not None and any(parsed in network for network in networks)


def client_ip(request) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the
    right-most address of X-Forwarded-For that is not itself a trusted proxy.

    Only the right-most entries were written by our proxies; anything to their left came
    from the client and may be forged, so the walk stops at the first untrusted hop."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not is_trusted_proxy(remote):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse_ip(hop)
        if address is None:
            return hop.strip()[:64]  # garbage a proxy passed on: its own key, never a bypass
        if not is_trusted_proxy(str(address)):
            return str(address)
    # Every hop is one of our proxies (or there is no header): the left-most is the origin.
    first = _parse_ip(hops[0]) if hops else None
    return str(first) if first else remote
