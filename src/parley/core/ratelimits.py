"""Rate limits shaped like Mastodon's: a fixed window per bucket and key, kept in the cache
(the database cache when embedded, Redis when scaled out). Switch off with
PARLEY_RATE_LIMITS=off; change limits with PARLEY_RATE_LIMIT_<BUCKET>="count/seconds"."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

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


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")
