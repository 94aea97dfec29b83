"""Per-process copies of screening lists, reloaded when any process changes the table.

Each list has a version token in the shared cache (database or Redis). A writer replaces
the token when its transaction commits; a reader compares tokens and reloads on change.
A missing token (cache cleared or evicted) is replaced too, so every process reloads."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
RULES, HASHES, REMOVED = "rules", "hashes", "removed"
_KEYS = {name: f"parley:screening:{name}:version" for name in (RULES, HASHES, REMOVED)}


def _tokens(names: tuple[str, ...]) -> dict[str, str]:
    keys = [_KEYS[n] for n in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return {n: found[_KEYS[n]] for n in names}


def mark_changed(name: str) -> None:
    """Tell every process to reload ``name`` once the current transaction commits."""
    key = _KEYS[name]
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


class Snapshot(Generic[T]):
    """A value built by ``load(previous)`` and kept until the list's token changes."""

    def __init__(self, name: str, load: Callable[[T | None], T]) -> None:
        self.name = name
        self._load = load
        self._lock = threading.Lock()
        self._token: str | None = None
        self._value: T | None = None

    def get(self, token: str | None = None) -> T:
        token = token or _tokens((self.name,))[self.name]
        with self._lock:
            if token != self._token or self._value is None:
                self._value = self._load(self._value)
                self._token = token
            return self._value


def current_tokens() -> dict[str, str]:
    """All list tokens in one cache round trip (one query with the database cache)."""
    return _tokens((RULES, HASHES, REMOVED))
