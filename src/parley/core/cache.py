"""The shared cache on Redis (scaled mode), failing open: while Redis is unreachable it
answers as an empty cache that keeps nothing, so requests go on (rate limits are then not
enforced) instead of failing with a 500."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger("parley.cache")
T = TypeVar("T")

# Short by default: a Redis that does not answer must not stall every request for long.
SOCKET_TIMEOUT = 0.5
# After a failure, Redis is not tried again for this long: each request would otherwise
# wait out the connect timeout once per cache call.
RETRY_AFTER = 1.0
WARN_EVERY = 30.0


class _Outage:
    """When Redis at one location last failed, and when that was last logged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.warned_at = -WARN_EVERY
        self.failures = 0


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class ResilientRedisCache(RedisCache):
    """Django's RedisCache; on a connection error or timeout, get answers the default,
    add/set/delete do nothing and incr counts from zero. OPTIONS may set ``retry_after``
    (seconds) and the redis client's ``socket_timeout`` / ``socket_connect_timeout``."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self._retry_after = float(options.pop("retry_after", RETRY_AFTER))
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self._outage = _outage_for(",".join(self._servers))

    def _guarded(self, fallback: T, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        import redis

        if time.monotonic() < self._outage.down_until:
            return fallback
        try:
            return call(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            self._record_failure(exc)
            return fallback

    def _record_failure(self, exc: Exception) -> None:
        outage = self._outage
        now = time.monotonic()
        with outage.lock:
            outage.down_until = now + self._retry_after
            outage.failures += 1
            if now - outage.warned_at < WARN_EVERY:
                return
            failures, outage.failures, outage.warned_at = outage.failures, 0, now
        log.warning("cache: Redis at %s is unreachable (%s; %d failed calls since the last "
                    "warning); answering as an empty cache, rate limits are not enforced",
                    ",".join(self._servers), exc, failures)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> bool:
        return self._guarded(False, super().add, key, value, timeout, version)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._guarded(default, super().get, key, default, version)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: int | None = None) -> None:
        self._guarded(None, super().set, key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._guarded(False, super().delete, key, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._guarded(False, super().has_key, key, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        # A counter Redis cannot keep starts again: the first request of a window.
        return self._guarded(delta, super().incr, key, delta, version)

    def set_many(self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT,
                 version: int | None = None) -> list[str]:
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guarded(None, super().delete_many, keys, version)

    def clear(self) -> bool:
        return self._guarded(False, super().clear)
