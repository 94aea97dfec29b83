"""The policy table: categories, severities, screening thresholds, deadlines, actions.

Policy is data. Operators override entries with PARLEY_POLICY_OVERRIDES (JSON) or through
``safety.services.change_policy`` (audited)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError

from parley.safety.screening.snapshots import POLICY as POLICY_SNAPSHOT
from parley.safety.screening.snapshots import Snapshot

SEVERITY_WEIGHT = {"critical": 4.0, "high": 2.0, "medium": 1.0, "low": 0.5}


@dataclass(frozen=True)
class CategoryPolicy:
    name: str
    label: str
    dsa_category: str  # EU DSA transparency database category
    severity: str
    hold: float | None  # hold a post at score >= this (None: never hold by score)
    case: float | None  # open a case at score >= this
    deadline: timedelta
    default_actions: tuple[str, ...] = ("remove",)
    strikes: int = 1
    refer_to_authority: bool = False
    examples: str = ""
    reject_on_hash_match: bool = False
    extra: dict = field(default_factory=dict)


HOUR = timedelta(hours=1)

POLICY: dict[str, CategoryPolicy] = {
    p.name: p
    for p in [
        CategoryPolicy(
            "violence",
            "Violence",
            "STATEMENT_CATEGORY_VIOLENCE",
            "critical",
            0.90,
            0.50,
            HOUR,
            ("remove", "strike"),
            strikes=2,
            refer_to_authority=True,
            examples="threats, incitement, calls to kill/hang/shoot, glorifying attacks",
        ),
        CategoryPolicy(
            "risk_for_public_security",
            "Risk for public security",
            "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
            "critical",
            0.90,
            0.50,
            HOUR,
            ("remove", "strike"),
            strikes=2,
            refer_to_authority=True,
            examples="terrorist content, organising an attack",
        ),
        CategoryPolicy(
            "illegal_or_harmful_speech",
            "Illegal or harmful speech",
            "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
            "high",
            0.95,
            0.60,
            24 * HOUR,
            examples="hate speech, dehumanisation",
        ),
        CategoryPolicy(
            "non_consensual_behaviour",
            "Non-consensual behaviour",
            "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
            "high",
            None,
            None,
            24 * HOUR,
            examples="doxxing, harassment, intimate images",
        ),
        CategoryPolicy(
            "self_harm",
            "Self-harm",
            "STATEMENT_CATEGORY_SELF_HARM",
            "high",
            0.95,
            0.60,
            24 * HOUR,
            examples="encouragement of suicide or self-harm",
        ),
        CategoryPolicy(
            "scams_and_fraud",
            "Scams and fraud",
            "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
            "medium",
            None,
            None,
            72 * HOUR,
            examples="spam, phishing",
        ),
        CategoryPolicy(
            "protection_of_minors",
            "Protection of minors",
            "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
            "critical",
            None,
            None,
            timedelta(minutes=15),
            ("remove", "suspend"),
            strikes=3,
            refer_to_authority=True,
            reject_on_hash_match=True,
            examples="hash-list matches only",
        ),
        CategoryPolicy(
            "other",
            "Other violation of terms",
            "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
            "low",
            None,
            None,
            72 * HOUR,
            examples="anything else against the rules",
        ),
    ]
}

# Deadline profiles scale review deadlines to a legal regime.
DEADLINE_PROFILES: dict[str, dict[str, timedelta]] = {
    "dsa": {},
    "terreg": {"risk_for_public_security": HOUR, "violence": HOUR},
    "netzdg": {
        "illegal_or_harmful_speech": 24 * HOUR,
        "violence": 24 * HOUR,
        "other": 7 * 24 * HOUR,
    },
}
AUTHORITY_ORDER_DEADLINE = HOUR

# Account signals lower the screening bar (both hold and case thresholds) for one post.
# The shifts add up, capped at ACCOUNT_SIGNAL_MAX_SHIFT.
ACCOUNT_SIGNALS: dict[str, dict[str, float]] = {
    "new_account": {"younger_than_hours": 24, "shift": 0.05},
    "prior_strikes": {"shift_per_strike": 0.05},
    "posting_velocity": {"posts": 20, "within_minutes": 10, "shift": 0.05},
    # a threat that names someone: only for categories referred to the authorities
    "mentions_a_person": {"shift": 0.05},
}
ACCOUNT_SIGNAL_MAX_SHIFT = 0.15
STRIKES_BEFORE_WARNING = 2
STRIKES_BEFORE_SUSPENSION = 3
APPEAL_WINDOW = timedelta(days=183)


def _stored_overrides(_previous: dict | None) -> dict[str, dict]:
    from parley.safety.models import PolicyOverride

    try:
        return {row.category: dict(row.values) for row in PolicyOverride.objects.all()}
    except DatabaseError:  # table not migrated yet (first start, migrations)
        return {}


# Screening reads the policy several times per post: keep the stored overrides per process,
# look for a change made elsewhere at most every 2 s, and reload when
# ``safety.services.change_policy`` marks them changed.
_stored = Snapshot(POLICY_SNAPSHOT, _stored_overrides, recheck_seconds=2.0)


def _overrides() -> dict[str, dict]:
    raw = getattr(settings, "PARLEY_POLICY_OVERRIDES", "") or ""
    merged: dict[str, dict] = json.loads(raw) if raw.strip() else {}
    for category, values in _stored.get().items():
        merged.setdefault(category, {}).update(values)
    return merged


def category_policy(name: str) -> CategoryPolicy:
    """The effective policy of one category, with overrides and the deadline profile applied."""
    base = POLICY.get(name, POLICY["other"])
    changes = dict(_overrides().get(base.name, {}))
    if "deadline_hours" in changes:
        changes["deadline"] = timedelta(hours=float(changes.pop("deadline_hours")))
    profile = DEADLINE_PROFILES.get(settings.PARLEY_DEADLINE_PROFILE, {})
    if base.name in profile and "deadline" not in changes:
        changes["deadline"] = profile[base.name]
    allowed = {"hold", "case", "deadline", "severity", "strikes"}
    return replace(base, **{k: v for k, v in changes.items() if k in allowed})


def effective_policy() -> dict[str, CategoryPolicy]:
    return {name: category_policy(name) for name in POLICY}
