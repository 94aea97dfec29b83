"""The append-only, hash-chained audit log. ``record_event`` is its only writer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from parley.safety.models import AuditEntry

GENESIS = "0" * 64


def _canonical(entry_fields: dict) -> bytes:
    return json.dumps(entry_fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def _entry_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(fields)).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict:
    return {
        "created_at": entry.created_at.isoformat(),
        "event": entry.event,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "subject_type": entry.subject_type,
        "subject_id": str(entry.subject_id),
        "data": entry.data,
    }


def record_event(
    event: str,
    *,
    actor=None,
    actor_label: str = "",
    subject=None,
    subject_type: str = "",
    subject_id: str | int = "",
    data: dict | None = None,
) -> AuditEntry:
    """Append one safety event to the chain. ``subject`` may be any model instance."""
    if subject is not None:
        subject_type = subject_type or subject._meta.model_name
        subject_id = subject.pk
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(727274)")
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(
            created_at=timezone.now(),
            event=event,
            actor_id=getattr(actor, "pk", None),
            actor_label=actor_label or (getattr(actor, "username", "") or "system"),
            subject_type=subject_type,
            subject_id=str(subject_id),
            data=json.loads(json.dumps(data or {}, default=str)),
            prev_hash=last or GENESIS,
        )
        entry.hash = _entry_hash(entry.prev_hash, _hashed_fields(entry))
        entry.save()
    return entry


@dataclass
class ChainReport:
    entries: int
    ok: bool
    first_bad_id: int | None = None
    problem: str = ""
    head: str = GENESIS  # hash of the last entry: record it elsewhere to anchor the chain


def verify_chain(progress=None, expect_head: str | None = None) -> ChainReport:
    """Recompute every hash; report the first entry that was edited, removed or reordered.

    The chain alone cannot show that its newest entries were cut off. ``expect_head`` is a
    head recorded earlier (printed by every verification): it must still be on the chain."""
    prev = GENESIS
    count = 0
    seen_expected = expect_head in (None, GENESIS)
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if entry.prev_hash != prev:
            return ChainReport(count, False, entry.pk, "an entry before this one is missing")
        if _entry_hash(prev, _hashed_fields(entry)) != entry.hash:
            return ChainReport(count, False, entry.pk, "this entry was edited")
        prev = entry.hash
        seen_expected = seen_expected or entry.hash == expect_head
        if progress:
            progress()
    if not seen_expected:
        return ChainReport(count, False, None, "the recorded head is gone: the newest entries "
                           "were deleted", head=prev)
    return ChainReport(count, True, head=prev)
