"""A small checker for Mastodon entities: a spec is a dict of attribute -> type, and
``assert_entity`` names every attribute that is missing or of the wrong type.

Types: the constants below, ``Nullable(t)``, ``ListOf(t)``, ``OneOf(...)`` (an enum of
strings) or a nested spec (a dict). Attributes Mastodon sends only sometimes (by version,
by viewer, by state) go in ``Optional(t)``: checked when present, never required."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^-?[0-9]+$")


@dataclass(frozen=True)
class Scalar:
    name: str
    test: Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


STRING = Scalar("string", lambda v: isinstance(v, str))
ID = Scalar("string id (digits)", lambda v: isinstance(v, str) and bool(_ID.match(v)))
BOOL = Scalar("boolean", lambda v: isinstance(v, bool))
INT = Scalar("integer", _is_int)
NUMBER = Scalar("number", lambda v: _is_int(v) or isinstance(v, float))
DATETIME = Scalar("ISO 8601 datetime", lambda v: isinstance(v, str) and bool(_DATETIME.match(v)))
DATE = Scalar("ISO 8601 date", lambda v: isinstance(v, str) and bool(_DATE.match(v)))
URL = Scalar("absolute URL", lambda v: isinstance(v, str) and v.startswith(("http://", "https://")))
WS_URL = Scalar("WebSocket or HTTP URL",
                lambda v: isinstance(v, str) and v.startswith(("wss://", "ws://", "https://",
                                                                "http://")))
HASH = Scalar("object", lambda v: isinstance(v, dict))


@dataclass(frozen=True)
class Nullable:
    inner: Any


@dataclass(frozen=True)
class ListOf:
    inner: Any


@dataclass(frozen=True)
class Optional:
    inner: Any


@dataclass(frozen=True)
class OneOf:
    values: tuple[str, ...]

    def __init__(self, *values: str) -> None:
        object.__setattr__(self, "values", values)


def problems(value: Any, spec: Any, path: str = "$") -> list[str]:
    """Every way ``value`` departs from ``spec``, each naming the attribute's path."""
    if isinstance(spec, Optional):
        return problems(value, spec.inner, path)
    if isinstance(spec, Nullable):
        return [] if value is None else problems(value, spec.inner, path)
    if value is None:
        return [f"{path} is null, expected {_describe(spec)}"]
    if isinstance(spec, Scalar):
        return [] if spec.test(value) else [f"{path} should be {spec.name}, got {value!r}"]
    if isinstance(spec, OneOf):
        if value in spec.values:
            return []
        return [f"{path} should be one of {list(spec.values)}, got {value!r}"]
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            return [f"{path} should be an array, got {value!r}"]
        return [p for i, item in enumerate(value) for p in problems(item, spec.inner,
                                                                     f"{path}[{i}]")]
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return [f"{path} should be an object, got {value!r}"]
        found = []
        for key, inner in spec.items():
            if key not in value:
                if not isinstance(inner, Optional):
                    found.append(f"{path}.{key} is missing ({_describe(inner)})")
                continue
            found.extend(problems(value[key], inner, f"{path}.{key}"))
        return found
    raise TypeError(f"not a spec: {spec!r}")


def _describe(spec: Any) -> str:
    if isinstance(spec, Scalar):
        return spec.name
    if isinstance(spec, Nullable | Optional):
        return f"{_describe(spec.inner)} or null" if isinstance(spec, Nullable) else _describe(
            spec.inner)
    if isinstance(spec, ListOf):
        return f"array of {_describe(spec.inner)}"
    if isinstance(spec, OneOf):
        return f"one of {list(spec.values)}"
    return "object"


def assert_entity(value: Any, spec: Any, name: str) -> None:
    """Fail naming each missing or mistyped attribute of ``name``."""
    found = problems(value, spec)
    assert not found, f"{name} departs from Mastodon's entity:\n  " + "\n  ".join(found)


def assert_entities(values: Any, spec: Any, name: str, at_least: int = 1) -> None:
    """A list of entities, not empty (an empty list would check nothing)."""
    assert isinstance(values, list), f"{name}: expected an array, got {values!r}"
    assert len(values) >= at_least, f"{name}: expected at least {at_least}, got {len(values)}"
    assert_entity(values, ListOf(spec), name)
