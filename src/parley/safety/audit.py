"""The append-only, hash-chained audit log. ``record_event`` is its only writer.

Without a key each entry's hash is SHA-256 over the previous hash and the entry, which shows
accidental edits but not a rewrite: whoever can edit the database can recompute the hashes.
With PARLEY_AUDIT_KEY (or PARLEY_AUDIT_KEY_FILE), kept outside the database, each new entry's
hash is an HMAC, which nobody without the key can recompute. Each entry records its scheme,
so chains started before the key keep verifying."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from parley.safety.models import AuditEntry

GENESIS = "0" * 64
KEYED = AuditEntry.Scheme.HMAC_SHA256
UNKEYED = AuditEntry.Scheme.SHA256


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    key_id: str  # names the key without revealing it


@lru_cache(maxsize=4)
def _load_key(value: str, path: str) -> AuditKey | None:
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as problem:
            raise ImproperlyConfigured(f"PARLEY_AUDIT_KEY_FILE {path}: {problem}") from None
        if not value:
            raise ImproperlyConfigured(f"PARLEY_AUDIT_KEY_FILE {path} is empty")
    if not value:
        return None
    secret = value.encode()
    key_id = hmac.new(secret, b"parley audit key id", hashlib.sha256).hexdigest()[:16]
    return AuditKey(secret, key_id)


def audit_key() -> AuditKey | None:
    """The configured key, or None: PARLEY_AUDIT_KEY_FILE wins over PARLEY_AUDIT_KEY."""
    return _load_key(getattr(settings, "PARLEY_AUDIT_KEY", "") or "",
                     getattr(settings, "PARLEY_AUDIT_KEY_FILE", "") or "")


def _canonical(entry_fields: dict) -> bytes:
    return json.dumps(entry_fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def _entry_hash(prev_hash: str, fields: dict, key: AuditKey | None = None) -> str:
    message = prev_hash.encode() + _canonical(fields)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict:
    fields = {
        "created_at": entry.created_at.isoformat(),
        "event": entry.event,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "subject_type": entry.subject_type,
        "subject_id": str(entry.subject_id),
        "data": entry.data,
    }
    if entry.scheme == KEYED:  # unkeyed entries keep the fields they were hashed with
        fields.update(scheme=entry.scheme, key_id=entry.key_id)
    return fields


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
    key = audit_key()
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
            scheme=KEYED if key else UNKEYED,
            key_id=key.key_id if key else "",
        )
        entry.hash = _entry_hash(entry.prev_hash, _hashed_fields(entry), key)
        entry.save()
    return entry


@dataclass
class ChainReport:
    entries: int
    ok: bool
    first_bad_id: int | None = None
    problem: str = ""
    head: str = GENESIS  # hash of the last entry: record it elsewhere to anchor the chain
    keyed: int = 0  # entries with a keyed hash (HMAC)


class _ChainWalk:
    """Walks the chain oldest first; ``check`` says what is wrong with one entry, if anything."""

    def __init__(self, key: AuditKey | None) -> None:
        self.key = key
        self.prev = GENESIS
        self.keyed = 0

    def check(self, entry: AuditEntry) -> str:
        if entry.prev_hash != self.prev:
            return "an entry before this one is missing"
        if entry.scheme == KEYED:
            return self._check_keyed(entry)
        if self.keyed:
            return ("this entry is not keyed although earlier ones are: it was written or "
                    "rewritten without the audit key")
        if _entry_hash(self.prev, _hashed_fields(entry)) != entry.hash:
            return "this entry was edited"
        return ""

    def _check_keyed(self, entry: AuditEntry) -> str:
        if self.key is None:
            return ("this entry is keyed (HMAC) but no audit key is set: set PARLEY_AUDIT_KEY "
                    "or PARLEY_AUDIT_KEY_FILE to verify it")
        if entry.key_id != self.key.key_id:
            return (f"this entry was keyed with another key (id {entry.key_id or 'none'}, the "
                    f"configured key is {self.key.key_id}): the audit key is wrong, or the "
                    "entry was rewritten")
        if _entry_hash(self.prev, _hashed_fields(entry), self.key) != entry.hash:
            return "this entry was edited (its keyed hash does not match)"
        self.keyed += 1
        return ""


def verify_chain(progress=None, expect_head: str | None = None) -> ChainReport:
    """Recompute every hash; report the first entry that was edited, removed or reordered.

    With the audit key set, a rewrite is found even if its author recomputed the hashes:
    from the first keyed entry on, every entry must carry a valid HMAC, and so must the
    newest one. Entries older than the key are only as safe as a head recorded earlier:
    ``expect_head`` (printed by every verification) must still be on the chain."""
    walk = _ChainWalk(audit_key())
    count = 0
    seen_expected = expect_head in (None, GENESIS)
    last_scheme = None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        problem = walk.check(entry)
        if problem:
            return ChainReport(count, False, entry.pk, problem, keyed=walk.keyed)
        walk.prev, last_scheme = entry.hash, entry.scheme
        seen_expected = seen_expected or entry.hash == expect_head
        if progress:
            progress()
    if walk.key is not None and last_scheme == UNKEYED:
        return ChainReport(count, False, None, "the newest entry is not keyed although an "
                           "audit key is set: the chain was rewritten without the key, or no "
                           "event has been recorded since the key was set", head=walk.prev)
    if not seen_expected:
        return ChainReport(count, False, None, "the recorded head is no longer on the chain: "
                           "entries were deleted from its end, or entries up to the recorded "
                           "head were rewritten and their hashes recomputed", head=walk.prev,
                           keyed=walk.keyed)
    return ChainReport(count, True, head=walk.prev, keyed=walk.keyed)


def check_audit_key(app_configs=None, **kwargs) -> list:
    """System check: a configured key file that cannot be read stops the start, not a post."""
    from django.core.checks import Error

    try:
        audit_key()
    except ImproperlyConfigured as problem:
        return [Error(str(problem), hint="Fix or unset PARLEY_AUDIT_KEY_FILE.",
                      id="parley.safety.E001")]
    return []
