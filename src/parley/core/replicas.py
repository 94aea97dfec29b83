"""Read replicas (PARLEY_DATABASE_REPLICA_URLS): timeline and search pages read from a
replica, everything else and every write from the primary.

A view marked ``@reads_from_replica`` runs with a replica chosen for its reads; the router
sends the reads of the timeline models (posts, accounts, timelines, filters) made while it
runs there. Writes always go to the primary, whatever object they start from. A member who
has just written (a POST, PUT, PATCH or DELETE that succeeded) reads from the primary for
PARLEY_REPLICA_STICKY_SECONDS, so a replica's lag never hides its own post, follow or like:
a cookie marks the browser, a cache key the account (API clients may drop cookies)."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse

STICKY_COOKIE = "parley_primary"
REPLICA_APPS = frozenset({"accounts", "posts", "timelines", "filters"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_reads_from: ContextVar[str | None] = ContextVar("parley_replica", default=None)


def _wrote_key(user_id: int) -> str:
    return f"parley:wrote:{user_id}"


def replica_for(request: HttpRequest) -> str | None:
    """The replica this request's timeline or search reads use, or None: the primary."""
    replicas = settings.PARLEY_READ_REPLICAS
    if not replicas or request.method not in SAFE_METHODS:
        return None
    if request.COOKIES.get(STICKY_COOKIE):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and cache.get(_wrote_key(user.pk)):
        return None
    return random.choice(replicas)


@contextmanager
def reading_from(alias: str | None) -> Iterator[None]:
    token = _reads_from.set(alias)
    try:
        yield
    finally:
        _reads_from.reset(token)


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """For a view function ``(request, ...)`` or method ``(self, request, ...)``."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request = args[0] if isinstance(args[0], HttpRequest) else args[1]
        with reading_from(replica_for(request)):
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Installed with replicas: the chosen replica for timeline reads, the primary else."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        alias = _reads_from.get()
        if alias and model._meta.app_label in REPLICA_APPS:
            return alias
        return None  # Django's default: the instance's database, or the primary

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # replicas hold the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return None if db == DEFAULT_DB_ALIAS else False


class StickyPrimaryMiddleware:
    """After a successful write, this browser and this account read the primary for a
    few seconds (read-your-own-writes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (not settings.PARLEY_READ_REPLICAS or request.method in SAFE_METHODS
                or response.status_code >= 400):
            return response
        seconds = settings.PARLEY_REPLICA_STICKY_SECONDS
        response.set_cookie(STICKY_COOKIE, "1", max_age=seconds, httponly=True,
                            samesite="Lax", secure=request.is_secure())
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            cache.set(_wrote_key(user.pk), 1, timeout=seconds)
        return response
