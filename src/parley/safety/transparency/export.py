"""Statements of reasons in the EU DSA Transparency Database API format, without personal
data, written as JSON batches ready for its multiple-statements endpoint (100 a call)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings

from parley.safety.cases.models import ActionKind, StatementOfReasons
from parley.safety.transparency.selectors import Period

BATCH_SIZE = 100
# Where decisions apply: the EEA (EU-27 plus Iceland, Liechtenstein, Norway) by default.
EEA = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
       "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE",
       "SI", "SK")
STRIKE_MEASURE = "A strike recorded against the account; repeated strikes lead to suspension."
# The free text that moderators add may name people; the export keeps only our own wording.
_MODERATOR_NOTE = "Moderator's note:"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_HANDLE = re.compile(r"@\w+(@[\w.-]+)?")
LIMITS = {"decision_facts": 5000, "incompatible_content_ground": 500,
          "incompatible_content_explanation": 2000, "illegal_content_legal_ground": 500,
          "illegal_content_explanation": 2000, "decision_visibility_other": 500,
          "content_type_other": 500}


def territorial_scope() -> list[str]:
    return list(getattr(settings, "PARLEY_TERRITORIAL_SCOPE", None) or EEA)


def scrub(text: str, names: tuple[str, ...] = ()) -> str:
    """Drop moderators' notes, e-mail addresses, @handles and the given names."""
    text = text.split(_MODERATOR_NOTE, 1)[0]
    text = _EMAIL.sub("[redacted]", text)
    text = _HANDLE.sub("[account]", text)
    for name in names:
        if name and len(name) >= 3:
            text = re.sub(rf"\b{re.escape(name)}\b", "[account]", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _date(value) -> str | None:
    return value.date().isoformat() if value else None


def _decision(record: dict, statement: StatementOfReasons) -> None:
    kind = statement.action.kind
    if statement.decision_visibility:
        record["decision_visibility"] = [statement.decision_visibility]
        record["end_date_visibility_restriction"] = _date(statement.ends_at)
    if statement.decision_account:
        record["decision_account"] = statement.decision_account
        record["end_date_account_restriction"] = _date(statement.ends_at)
    if kind == ActionKind.STRIKE and not (statement.decision_visibility
                                          or statement.decision_account):
        record["decision_visibility"] = ["DECISION_VISIBILITY_OTHER"]
        record["decision_visibility_other"] = STRIKE_MEASURE


def _ground(record: dict, statement: StatementOfReasons, names: tuple[str, ...]) -> None:
    facts = scrub(statement.facts, names)
    if statement.ground == "DECISION_GROUND_ILLEGAL_CONTENT":
        record["illegal_content_legal_ground"] = scrub(statement.legal_ground, names)
        record["illegal_content_explanation"] = facts
        return
    record["incompatible_content_ground"] = scrub(statement.policy_ground, names)
    record["incompatible_content_explanation"] = facts
    record["incompatible_content_illegal"] = "Yes" if statement.legal_ground else "No"


def statement_record(statement: StatementOfReasons) -> dict:
    """One statement as the Transparency Database expects it: codes, dates, no personal data."""
    case = statement.action.case
    names = (statement.recipient.username, getattr(statement.recipient, "display_name", ""))
    record: dict = {
        "puid": statement.puid,
        "decision_ground": statement.ground,
        "category": statement.category,
        "content_type": [statement.content_type],
        "content_date": _date(statement.content_date or case.opened_at),
        "application_date": _date(statement.created_at),
        "decision_facts": scrub(statement.facts, names),
        "source_type": statement.source_type,
        "automated_detection": "Yes" if statement.automated_detection else "No",
        "automated_decision": statement.automated_decision,
        "territorial_scope": territorial_scope(),
    }
    _decision(record, statement)
    _ground(record, statement, names)
    if statement.content_type == "CONTENT_TYPE_OTHER":
        record["content_type_other"] = "Account profile"
    language = (case.post.language if case.post_id else "") or ""
    if len(language) == 2:
        record["content_language"] = language.upper()
    for field, limit in LIMITS.items():
        if isinstance(record.get(field), str):
            record[field] = record[field][:limit]
    return {k: v for k, v in record.items() if v is not None}


def statements_in(period: Period):
    return (StatementOfReasons.objects
            .filter(created_at__gte=period.start, created_at__lt=period.end)
            .select_related("action__case__post", "recipient").order_by("created_at", "id"))


def batches(records: Iterator[dict], size: int = BATCH_SIZE) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def export_statements(period: Period, out_dir: Path, *,
                      progress: Callable[[int], None] | None = None) -> list[Path]:
    """Write ``statements-0001.json``... each ``{"statements": [...]}`` with at most 100."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    records = (statement_record(s) for s in statements_in(period).iterator(chunk_size=500))
    for number, batch in enumerate(batches(records), start=1):
        path = out_dir / f"statements-{period.first:%Y%m%d}-{period.last:%Y%m%d}-{number:04d}.json"
        path.write_text(json.dumps({"statements": batch}, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
        if progress:
            progress(len(batch))
    return written
