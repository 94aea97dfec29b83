"""Which tables an instance archive holds, and how one row becomes one JSON line and back."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import models
from django.utils.duration import duration_iso_string

# Apps outside Parley whose rows are part of an instance: OAuth clients and tokens, the
# background work still queued, and groups (permissions and content types come from migrate).
OTHER_APPS = ("oauth2_provider", "django_tasks_database")
OTHER_MODELS = ("auth.Group", "auth.Group_permissions")
# Runtime state of the old host, meaningless on the new one.
SKIPPED_MODELS = ("core.WorkerHeartbeat",)


class BadRow(ValueError):
    """A line of a table file that does not decode into a row of its model."""


def exported_models() -> list[type[models.Model]]:
    """Every model whose rows make up the instance, in a stable order."""
    return [m for m in apps.get_models(include_auto_created=True) if _is_exported(m)]


def _is_exported(model: type[models.Model]) -> bool:
    meta = model._meta
    if meta.proxy or not meta.managed or meta.label in SKIPPED_MODELS:
        return False
    return (
        meta.app_config.name.startswith("parley.")
        or meta.app_label in OTHER_APPS
        or meta.label in OTHER_MODELS
    )


def columns(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _is_permission(field: models.Field) -> bool:
    return field.is_relation and field.related_model is Permission


def _permission_keys() -> dict[int, list[str]]:
    # Permission ids depend on the order migrate created them; their natural key does not.
    rows = Permission.objects.values_list("pk", "codename", "content_type__app_label",
                                          "content_type__model")
    return {pk: [codename, app, model] for pk, codename, app, model in rows}


def _plain(value: object) -> object:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"cannot export a {type(value).__name__}")


def encoded_rows(model: type[models.Model], chunk_size: int = 2000) -> Iterator[bytes]:
    """One JSON array per row, columns in ``columns(model)`` order, oldest first."""
    fields = model._meta.concrete_fields
    permission_at = [i for i, field in enumerate(fields) if _is_permission(field)]
    keys = _permission_keys() if permission_at else {}
    rows = model._base_manager.order_by("pk").values_list(*columns(model))
    for row in rows.iterator(chunk_size=chunk_size):
        if permission_at:
            row = list(row)
            for i in permission_at:
                row[i] = keys.get(row[i], row[i])
        yield json.dumps(row, default=_plain, ensure_ascii=False, separators=(",", ":"),
                         sort_keys=True).encode()  # jsonb reorders keys: keep archives comparable


class RowDecoder:
    """Turns a line written by ``encoded_rows`` back into a model instance."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = model._meta.concrete_fields
        self.names = columns(model)
        self.permission_ids = None
        if any(_is_permission(field) for field in self.fields):
            self.permission_ids = {tuple(key): pk for pk, key in _permission_keys().items()}

    def decode(self, line: bytes) -> models.Model:
        try:
            values = json.loads(line)
        except ValueError as problem:
            raise BadRow(f"not JSON ({problem})") from None
        if not isinstance(values, list) or len(values) != len(self.fields):
            raise BadRow(f"expected a list of {len(self.fields)} values")
        row = {}
        for name, field, value in zip(self.names, self.fields, values, strict=True):
            row[name] = self._value(field, value)
        return self.model(**row)

    def _value(self, field: models.Field, value: object) -> object:
        if self.permission_ids is not None and _is_permission(field) and value is not None:
            try:
                return self.permission_ids[tuple(value)]
            except (KeyError, TypeError):
                raise BadRow(f"{field.name}: unknown permission {value!r}") from None
        try:
            return field.to_python(value)
        except Exception as problem:  # to_python raises ValidationError, ValueError, ...
            raise BadRow(f"{field.name}: {problem}") from None
