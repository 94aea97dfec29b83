"""The policy table: categories, severities, screening thresholds, deadlines, actions.

Policy is data. Operators override entries with PARLEY_POLICY_OVERRIDES (JSON) or through
``safety.services.change_policy`` (audited)."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError

from parley.safety.screening.snapshots import POLICY as POLICY_SNAPSHOT
from parley.safety.screening.snapshots import Snapshot

log = logging.getLogger(__name__)

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
    # A model-only case (no report, no notice, not held) opens only where expected harm =
    # score x expected reach reaches this; below it the post is watched (None: never gated).
    case_harm: float | None = None


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
            # critical: worth a minute as soon as anyone but the author is likely to see it
            case_harm=1.0,
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
            case_harm=1.0,
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
            # the model flags identity and political talk often: a case where ~20 people
            # are likely to see a probably hateful post; reports still open one at once
            case_harm=15.0,
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
            case_harm=15.0,
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

def dsa_category_label(dsa_category: str) -> str:
    """A readable name for a DSA statement category (STATEMENT_CATEGORY_VIOLENCE: Violence)."""
    for rules in POLICY.values():
        if rules.dsa_category == dsa_category:
            return rules.label
    return dsa_category.removeprefix("STATEMENT_CATEGORY_").replace("_", " ").capitalize()


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
    # A new account is a signal only where new accounts are unusual: not while the median
    # member joined less than a week ago (a new instance, a migration wave), when every
    # post would get the lower bar (bench/bench_signals.py measures what each signal costs).
    "new_account": {"younger_than_hours": 24, "shift": 0.05, "median_member_older_than_days": 7},
    "prior_strikes": {"shift_per_strike": 0.05},
    "posting_velocity": {"posts": 20, "within_minutes": 10, "shift": 0.05},
    # a threat that names someone: only for categories referred to the authorities
    "mentions_a_person": {"shift": 0.05},
}
ACCOUNT_SIGNAL_MAX_SHIFT = 0.15
# Expected reach of a post (how many people it is likely to reach), used to weigh a model
# score by what a violation would cost: (1 + the author's and echoers' followers + replies
# x REPLY_REACH + likes x LIKE_REACH) x the visibility's weight. Followers-only and direct
# posts stay with the people they were sent to.
REACH_BY_VISIBILITY: dict[str, float] = {"public": 1.0, "unlisted": 0.7, "private": 0.3,
                                         "direct": 0.1}
REPLY_REACH = 2.0
LIKE_REACH = 1.0
# Reports in case priority. Several distinct reporters raise a case's priority steeply: the
# priority is multiplied by the square of the reporters' summed weight, capped at
# MAX_REPORTERS (a brigade of a hundred accounts must not bury everything else). A member's
# weight is their track record: the smoothed share of their decided reports that were upheld,
# (upheld + prior_upheld) / (decided + prior_upheld + prior_rejected), relative to a new
# reporter's (so a new reporter weighs 1; with the defaults a member upheld 3 times of 3
# weighs 1.6, one rejected 3 times of 3 weighs 0.4), kept within [min_weight, max_weight].
# Decided means actioned or rejected by a moderator; cases closed without a decision and
# notices from outside (notifiers, the public form) weigh 1.
MAX_REPORTERS = 10
REPORTER_TRACK_RECORD: dict[str, float] = {
    "prior_upheld": 1.0, "prior_rejected": 1.0, "min_weight": 0.1, "max_weight": 2.0,
}
# Moderators' capacity for model cases, per 24 hours (PARLEY_REVIEW_BUDGET overrides it):
# two moderators, 8 hours a day, about 12 cases an hour each (5 minutes a case) is ~200.
DEFAULT_REVIEW_BUDGET = 200
# How long a watched post is re-scored on engagement by the periodic job.
WATCH_WINDOW = timedelta(days=3)
STRIKES_BEFORE_WARNING = 2
STRIKES_BEFORE_SUSPENSION = 3
APPEAL_WINDOW = timedelta(days=183)


# What an operator may tune per category, and what each value must be. A stored value that
# breaks these rules (an old row, a hand edit, a bad PARLEY_POLICY_OVERRIDES) is ignored
# with a warning: a policy typo must never stop posting.
MAX_DEADLINE_HOURS = 8760.0  # one year; beyond that a deadline means nothing
MAX_STRIKES = 10
MAX_CASE_HARM = 1_000_000.0  # a score x a million people: beyond that the bar means "never"
TUNABLE: dict[str, str] = {
    "hold": "a score between 0 and 1, or null to never hold by score",
    "case": "a score between 0 and 1, or null to never open a case by score",
    "deadline_hours": f"hours to review, above 0 and at most {MAX_DEADLINE_HOURS:g}",
    "severity": f"one of {', '.join(SEVERITY_WEIGHT)}",
    "strikes": f"a whole number of strikes per violation, 0 to {MAX_STRIKES}",
    "case_harm": (f"an expected harm (score x expected reach) from 0 to {MAX_CASE_HARM:g}, "
                  "or null to open a case on every score at the case threshold"),
}


class InvalidPolicy(ValueError):
    """An override that breaks the rules of ``TUNABLE``; the message says which and why."""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _value_ok(key: str, value: object) -> bool:
    if key in ("hold", "case"):
        return value is None or (_is_number(value) and 0 <= value <= 1)
    if key == "deadline_hours":
        return _is_number(value) and 0 < value <= MAX_DEADLINE_HOURS
    if key == "severity":
        return isinstance(value, str) and value in SEVERITY_WEIGHT
    if key == "case_harm":
        return value is None or (_is_number(value) and 0 <= value <= MAX_CASE_HARM)
    if key == "strikes":
        return (_is_number(value) and float(value).is_integer()
                and 0 <= value <= MAX_STRIKES)
    return False


def check_override(category: str, values: object) -> dict:
    """Check one category's overrides; raise ``InvalidPolicy`` naming the first bad value."""
    if category not in POLICY:
        raise InvalidPolicy(f"Unknown category {category!r}; one of {', '.join(POLICY)}")
    if not isinstance(values, dict):
        raise InvalidPolicy(f"{category} must map to an object of changes")
    for key, value in values.items():
        if key not in TUNABLE:
            raise InvalidPolicy(f"{category}.{key} cannot be changed; tunable: "
                                f"{', '.join(TUNABLE)}")
        if not _value_ok(key, value):
            raise InvalidPolicy(f"{category}.{key} must be {TUNABLE[key]}")
    base = POLICY[category]
    hold = values.get("hold", base.hold)
    case = values.get("case", base.case)
    if hold is not None and case is not None and case > hold:
        raise InvalidPolicy(f"{category}: the case threshold ({case:g}) must not be above the "
                            f"hold threshold ({hold:g}); a post is held only after a case "
                            "would open")
    return dict(values)


_warned: set[str] = set()


def _warn_once(message: str, *args: object) -> None:
    """Screening reads the policy on every post: say each problem once per process."""
    text = message % args
    if text not in _warned:
        _warned.add(text)
        log.warning(text)


def usable_override(category: str, values: object, source: str) -> dict:
    """The valid part of a stored override; each bad value falls back to the default."""
    if not isinstance(values, dict):
        _warn_once("policy override for %s in %s is not an object; using the defaults",
                    category, source)
        return {}
    usable = {}
    for key, value in values.items():
        if key in TUNABLE and _value_ok(key, value):
            usable[key] = value
        else:
            _warn_once("policy override %s.%s=%r in %s is invalid (%s); using the default",
                        category, key, value, source, TUNABLE.get(key, "not tunable"))
    try:
        check_override(category, usable)
    except InvalidPolicy as problem:
        _warn_once("policy override in %s: %s; using the default thresholds", source, problem)
        usable.pop("hold", None)
        usable.pop("case", None)
    return usable


def _stored_overrides(_previous: dict | None) -> dict[str, dict]:
    from parley.safety.models import PolicyOverride

    try:
        return {row.category: row.values for row in PolicyOverride.objects.all()}
    except DatabaseError:  # table not migrated yet (first start, migrations)
        return {}


# Screening reads the policy several times per post: keep the stored overrides per process,
# look for a change made elsewhere at most every 2 s, and reload when
# ``safety.services.change_policy`` marks them changed.
_stored = Snapshot(POLICY_SNAPSHOT, _stored_overrides, recheck_seconds=2.0)


def _settings_overrides() -> dict:
    raw = getattr(settings, "PARLEY_POLICY_OVERRIDES", "") or ""
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        _warn_once("PARLEY_POLICY_OVERRIDES is not valid JSON; ignoring it")
        return {}
    if not isinstance(parsed, dict):
        _warn_once("PARLEY_POLICY_OVERRIDES is not a JSON object; ignoring it")
        return {}
    return parsed


def settings_override(category: str) -> dict:
    """The valid part of PARLEY_POLICY_OVERRIDES for one category."""
    raw = _settings_overrides().get(category)
    return usable_override(category, raw, "PARLEY_POLICY_OVERRIDES") if raw is not None else {}


def _overrides_of(category: str) -> dict:
    """Settings first, then the database (admins' changes win); only valid values."""
    merged = settings_override(category)
    stored = _stored.get()
    if category in stored:
        merged.update(usable_override(category, stored[category], "the database"))
    return usable_override(category, merged, "the merged overrides") if merged else merged


def category_policy(name: str) -> CategoryPolicy:
    """The effective policy of one category, with overrides and the deadline profile applied."""
    base = POLICY.get(name, POLICY["other"])
    changes = _overrides_of(base.name)
    if "deadline_hours" in changes:
        changes["deadline"] = timedelta(hours=float(changes.pop("deadline_hours")))
    if "strikes" in changes:
        changes["strikes"] = int(changes["strikes"])
    profile = DEADLINE_PROFILES.get(settings.PARLEY_DEADLINE_PROFILE, {})
    if base.name in profile and "deadline" not in changes:
        changes["deadline"] = profile[base.name]
    return replace(base, **changes)


def effective_policy() -> dict[str, CategoryPolicy]:
    return {name: category_policy(name) for name in POLICY}
