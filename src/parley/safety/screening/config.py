"""Screening settings: a Django setting of the same name wins, else the environment variable."""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings


def setting(name: str, default: Any = None) -> Any:
    value = getattr(settings, name, None)
    if value is not None:
        return value
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if isinstance(default, dict):
        return json.loads(raw)
    if isinstance(default, bool):
        return raw.lower() not in {"0", "off", "false", "no"}
    if isinstance(default, int | float):
        return type(default)(raw)
    return raw


def dotted_paths(name: str) -> list[str]:
    """A list of dotted paths, given as a Python list or a comma-separated string."""
    raw = setting(name, "")
    paths = raw.split(",") if isinstance(raw, str) else list(raw)
    return [p.strip() for p in paths if p and p.strip()]
