"""Per-process copies of screening lists, reloaded when any process changes the table.

Each list has a version token in the shared cache (database or Redis). A writer replaces
the token when its transaction commits; a reader compares tokens and reloads on change.
A missing token (cache cleared or evicted) is replaced too, so every process reloads."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
RULES, HASHES, REMOVED, POLICY = "rules", "hashes", "removed", "policy"
_KEYS = {
    name: f"parley:screening:{name}:version" for name in (RULES, HASHES, REMOVED, POLICY)
}


def _tokens(names: tuple[str, ...]) -> dict[str, str]:
    keys = [_KEYS[n] for n in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return {n: found[_KEYS[n]] for n in names}


# Changes made by this process, counted at once: the writer's own process (and its open
# transaction) sees its change before commit; other processes see it through the token.
_local_changes: dict[str, int] = dict.fromkeys(_KEYS, 0)


def mark_changed(name: str) -> None:
    """Tell every process to reload ``name`` once the current transaction commits."""
    key = _KEYS[name]
    _local_changes[name] += 1
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))


class Snapshot(Generic[T]):
    """A value built by ``load(previous)`` and kept until the list's token changes."""

    def __init__(
        self, name: str, load: Callable[[T | None], T], recheck_seconds: float = 0.0
    ) -> None:
        self.name = name
        self._load = load
        self._recheck_seconds = recheck_seconds
        self._checked_at = 0.0
        self._loaded_committed = False  # loaded outside a transaction: nothing to roll back
        self._lock = threading.Lock()
        self._token: tuple[str, int] | None = None
        self._value: T | None = None

    def get(self, token: str | None = None) -> T:
        if token is None and self._fresh_enough():
            return self._value  # type: ignore[return-value]
        token = (token or _tokens((self.name,))[self.name], _local_changes[self.name])
        self._checked_at = time.monotonic()
        with self._lock:
            if token != self._token or self._value is None:
                self._value = self._load(self._value)
                self._token = token
                self._loaded_committed = not transaction.get_connection().in_atomic_block
            return self._value


    def _fresh_enough(self) -> bool:
        """Skip the shared-cache round trip if it was made less than ``recheck_seconds`` ago."""
        return (
            self._loaded_committed
            and self._value is not None
            and self._token is not None
            and self._token[1] == _local_changes[self.name]
            and time.monotonic() - self._checked_at < self._recheck_seconds
        )


def current_tokens() -> dict[str, str]:
    """All list tokens in one cache round trip (one query with the database cache)."""
    return _tokens((RULES, HASHES, REMOVED))
