"""State changes of screening data: server rules, hash lists, removed-content fingerprints.

Every change is audited and tells the other processes to reload their copy."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from parley.core.errors import NotFound, ValidationFailed
from parley.safety.audit import record_event
from parley.safety.policy import POLICY
from parley.safety.screening import fingerprints, snapshots
from parley.safety.screening.models import (
    HashEntry,
    HashKind,
    RemovedFingerprint,
    RuleField,
    ScreeningAction,
    ScreeningRule,
)

HASH_RE = re.compile(r"^[0-9a-f]{64}$")
CSV_COLUMNS = ["kind", "hash", "category", "action", "source", "note"]


def _check_category(category: str) -> None:
    if category not in POLICY:
        raise ValidationFailed(f"Unknown category {category!r}; one of: {', '.join(POLICY)}")


def _check_action(action: str) -> None:
    if action not in ScreeningAction.values:
        raise ValidationFailed(f"Unknown action {action!r}; one of: reject, hold, case")


def _actor_fields(actor) -> dict:
    return {"actor": actor} if actor is not None else {"actor_label": "cli"}


# -- rules ---------------------------------------------------------------------------------


def _rule_data(rule: ScreeningRule) -> dict:
    return {"pattern": rule.pattern, "is_regex": rule.is_regex, "action": rule.action,
            "category": rule.category, "applies_to": rule.applies_to, "enabled": rule.enabled,
            "note": rule.note}


def add_rule(
    pattern: str,
    *,
    action: str,
    category: str,
    applies_to: Iterable[str] | None = None,
    is_regex: bool = False,
    note: str = "",
    enabled: bool = True,
    actor=None,
) -> ScreeningRule:
    """Add a server-wide word/phrase (or regex) rule. ``applies_to`` defaults to all fields."""
    from parley.safety.screening.detectors import compile_rule_pattern

    pattern = (pattern or "").strip()
    if not pattern or (not is_regex and not fingerprints.normalise_text(pattern)):
        raise ValidationFailed("A rule needs a word, phrase or regular expression")
    _check_action(action)
    _check_category(category)
    fields = list(dict.fromkeys(applies_to or RuleField.values))
    unknown = set(fields) - set(RuleField.values)
    if unknown:
        raise ValidationFailed(f"Unknown field(s) {', '.join(sorted(unknown))}; "
                               f"one of: {', '.join(RuleField.values)}")
    try:
        compile_rule_pattern(pattern, is_regex)
    except re.error as exc:
        raise ValidationFailed(f"Invalid regular expression: {exc}") from exc
    with transaction.atomic():
        rule = ScreeningRule.objects.create(
            pattern=pattern, is_regex=is_regex, action=action, category=category,
            applies_to=fields, enabled=enabled, note=note,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record_event("screening.rule.added", subject=rule, data=_rule_data(rule),
                     **_actor_fields(actor))
        snapshots.mark_changed(snapshots.RULES)
    return rule


def _get_rule(rule: ScreeningRule | int) -> ScreeningRule:
    if isinstance(rule, ScreeningRule):
        return rule
    found = ScreeningRule.objects.filter(pk=rule).first()
    if found is None:
        raise NotFound(f"No rule #{rule}")
    return found


def remove_rule(rule: ScreeningRule | int, *, actor=None) -> None:
    rule = _get_rule(rule)
    with transaction.atomic():
        record_event("screening.rule.removed", subject=rule, data=_rule_data(rule),
                     **_actor_fields(actor))
        rule.delete()
        snapshots.mark_changed(snapshots.RULES)


def set_rule_enabled(rule: ScreeningRule | int, enabled: bool, *, actor=None) -> ScreeningRule:
    rule = _get_rule(rule)
    with transaction.atomic():
        rule.enabled = enabled
        rule.save(update_fields=["enabled"])
        event = "screening.rule.enabled" if enabled else "screening.rule.disabled"
        record_event(event, subject=rule, data=_rule_data(rule), **_actor_fields(actor))
        snapshots.mark_changed(snapshots.RULES)
    return rule


# -- hash lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HashRow:
    kind: str
    hash: str
    category: str
    action: str
    source: str = ""
    note: str = ""


def _check_hash_row(row: HashRow) -> HashRow:
    if row.kind not in HashKind.values:
        raise ValidationFailed(f"Unknown kind {row.kind!r}; one of: text, image")
    if not HASH_RE.match(row.hash):
        raise ValidationFailed("hash must be 64 hexadecimal characters (a SHA-256)")
    _check_category(row.category)
    _check_action(row.action)
    return row


def _save_hash_rows(rows: list[HashRow]) -> tuple[int, int]:
    """Insert or update rows (keyed by kind and hash); returns (created, updated)."""
    existing = set()
    for kind in {r.kind for r in rows}:
        hashes = [r.hash for r in rows if r.kind == kind]
        for start in range(0, len(hashes), 500):
            existing |= {(kind, h) for h in HashEntry.objects.filter(
                kind=kind, hash__in=hashes[start:start + 500]).values_list("hash", flat=True)}
    HashEntry.objects.bulk_create(
        [HashEntry(kind=r.kind, hash=r.hash, category=r.category, action=r.action,
                   source=r.source, note=r.note) for r in rows],
        update_conflicts=True, unique_fields=["kind", "hash"],
        update_fields=["category", "action", "source", "note"], batch_size=500,
    )
    updated = sum(1 for r in rows if (r.kind, r.hash) in existing)
    return len(rows) - updated, updated


def add_hash(kind: str, sha256: str, *, category: str, action: str = ScreeningAction.HOLD,
             source: str = "", note: str = "", actor=None) -> HashEntry:
    """Put one text or image SHA-256 on a hash list (or change its entry)."""
    row = _check_hash_row(HashRow(kind, (sha256 or "").strip().lower(), category, action,
                                  source, note))
    with transaction.atomic():
        _save_hash_rows([row])
        entry = HashEntry.objects.get(kind=row.kind, hash=row.hash)
        record_event("screening.hash.added", subject=entry, data=row.__dict__,
                     **_actor_fields(actor))
        snapshots.mark_changed(snapshots.HASHES)
    return entry


def add_text_hash(text: str, **fields) -> HashEntry:
    """List a text (matched after normalisation, so evasions of it match too)."""
    if not fingerprints.normalise_text(text or ""):
        raise ValidationFailed("Cannot list an empty text")
    return add_hash(HashKind.TEXT, fingerprints.text_sha256(text), **fields)


def add_post_to_hash_lists(post, *, category: str, action: str = ScreeningAction.HOLD,
                           source: str = "removed posts", actor=None) -> list[HashEntry]:
    """List a removed post's text and images, so exact re-uploads are caught at once."""
    note = f"from post #{post.pk}"
    entries = []
    if fingerprints.normalise_text(post.text or ""):
        entries.append(add_text_hash(post.text, category=category, action=action,
                                     source=source, note=note, actor=actor))
    for sha256 in post.media.exclude(sha256="").values_list("sha256", flat=True):
        entries.append(add_hash(HashKind.IMAGE, sha256, category=category, action=action,
                                source=source, note=note, actor=actor))
    return entries


def remove_hash(kind: str, sha256: str, *, actor=None) -> None:
    entry = HashEntry.objects.filter(kind=kind, hash=(sha256 or "").lower()).first()
    if entry is None:
        raise NotFound("That hash is not on any list")
    with transaction.atomic():
        record_event("screening.hash.removed", subject=entry,
                     data={"kind": entry.kind, "hash": entry.hash, "source": entry.source},
                     **_actor_fields(actor))
        entry.delete()
        snapshots.mark_changed(snapshots.HASHES)


def _parse_csv_line(record: dict, default_source: str) -> HashRow:
    values = {k: (v or "").strip() for k, v in record.items() if k is not None}
    if None in record:
        raise ValidationFailed("more fields than columns")
    sha256 = values.get("hash", "").lower()
    if not sha256 and values.get("kind") == HashKind.TEXT and values.get("text"):
        sha256 = fingerprints.text_sha256(values["text"])
    return _check_hash_row(HashRow(
        kind=values.get("kind", ""), hash=sha256, category=values.get("category", ""),
        action=values.get("action", "") or ScreeningAction.HOLD,
        source=values.get("source", "") or default_source, note=values.get("note", ""),
    ))


def parse_hash_csv(stream: io.TextIOBase, default_source: str = "") -> list[HashRow]:
    """Read and check every line; ValidationFailed names the first bad line."""
    reader = csv.DictReader(stream)
    columns = set(reader.fieldnames or [])
    missing = {"kind", "category"} - columns
    if missing or not ({"hash", "text"} & columns):
        raise ValidationFailed(
            "line 1: the header must name the columns kind, hash (or text), category, "
            "action, source, note"
        )
    rows: dict[tuple[str, str], HashRow] = {}
    for record in reader:
        try:
            row = _parse_csv_line(record, default_source)
        except (ValidationFailed, csv.Error) as exc:
            raise ValidationFailed(f"line {reader.line_num}: {getattr(exc, 'message', exc)}"
                                   ) from exc
        rows[(row.kind, row.hash)] = row  # a later line for the same hash wins
    return list(rows.values())


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int


def import_hashes(stream: io.TextIOBase, *, source: str = "", actor=None) -> ImportReport:
    """Import a hash-list CSV. All or nothing: a bad line changes nothing."""
    try:
        rows = parse_hash_csv(stream, source)
    except csv.Error as exc:
        raise ValidationFailed(f"not a readable CSV file: {exc}") from exc
    with transaction.atomic():
        created, updated = _save_hash_rows(rows)
        record_event("screening.hashes.imported",
                     data={"source": source, "created": created, "updated": updated},
                     subject_type="hashentry", **_actor_fields(actor))
        snapshots.mark_changed(snapshots.HASHES)
    return ImportReport(created, updated)


def export_hashes(stream: io.TextIOBase, *, kind: str | None = None,
                  source: str | None = None) -> int:
    """Write hash lists as CSV (the import format); returns the number of entries."""
    from parley.safety.screening.selectors import list_hashes

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in list_hashes(kind=kind, source=source).iterator(chunk_size=2000):
        writer.writerow([entry.kind, entry.hash, entry.category, entry.action, entry.source,
                         entry.note])
        count += 1
    return count


# -- near-duplicates of removed content ----------------------------------------------------


def index_removed_post(post, category: str) -> None:
    """Remember a removed post's fingerprint: new copies of it will be held."""
    parts = fingerprints.shingles(post.text or "")
    if not parts:
        return  # too short to call anything a copy of it
    raw = fingerprints.to_bytes(fingerprints.minhash(parts))
    with transaction.atomic():
        RemovedFingerprint.objects.update_or_create(
            post=post,
            defaults={"category": category or "other", "signature": raw,
                      "digest": fingerprints.digest(raw)},
        )
        snapshots.mark_changed(snapshots.REMOVED)


def forget_removed_post(post) -> None:
    """The removal was reversed: copies of this post are no longer held for it."""
    with transaction.atomic():
        deleted, _ = RemovedFingerprint.objects.filter(post=post).delete()
        if deleted:
            snapshots.mark_changed(snapshots.REMOVED)
