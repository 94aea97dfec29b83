"""Changes to the safety policy table: admins only, every change audited."""

from __future__ import annotations

from parley.accounts.models import User
from parley.core.errors import NotAllowed, ValidationFailed
from parley.safety import policy
from parley.safety.audit import record_event
from parley.safety.models import PolicyOverride
from parley.safety.screening import snapshots

# What an operator may tune per category, and how to check each value.
TUNABLE = {
    "hold": "a score between 0 and 1, or null to never hold by score",
    "case": "a score between 0 and 1, or null to never open a case by score",
    "deadline_hours": "hours to review, above 0",
    "severity": f"one of {', '.join(policy.SEVERITY_WEIGHT)}",
    "strikes": "strikes per violation, 0 to 10",
}


def _check(key: str, value) -> object:
    if key not in TUNABLE:
        raise ValidationFailed(f"{key} cannot be changed; tunable: {', '.join(TUNABLE)}")
    ok = False
    if key in ("hold", "case"):
        ok = value is None or (isinstance(value, int | float) and 0 <= value <= 1)
    elif key == "deadline_hours":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    elif key == "severity":
        ok = value in policy.SEVERITY_WEIGHT
    elif key == "strikes":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10
    if not ok:
        raise ValidationFailed(f"{key} must be {TUNABLE[key]}")
    return value


def change_policy(actor: User, category: str, changes: dict) -> policy.CategoryPolicy:
    """Override some values of one category's policy; returns the effective policy."""
    if actor is None or not getattr(actor, "is_admin", False):
        raise NotAllowed("Only admins may change the policy")
    if category not in policy.POLICY:
        raise ValidationFailed(f"Unknown category {category!r}")
    if not changes:
        raise ValidationFailed("Nothing to change")
    checked = {key: _check(key, value) for key, value in changes.items()}
    before = policy_as_dict(policy.category_policy(category))
    row, _ = PolicyOverride.objects.get_or_create(category=category)
    row.values = {**row.values, **checked}
    row.save()
    snapshots.mark_changed(snapshots.POLICY)
    after = policy.category_policy(category)
    record_event("policy.changed", actor=actor, subject_type="policy", subject_id=category,
                 data={"category": category, "changes": checked, "before": before,
                       "after": policy_as_dict(after)})
    return after


def policy_as_dict(rules: policy.CategoryPolicy) -> dict:
    return {
        "category": rules.name,
        "label": rules.label,
        "dsa_category": rules.dsa_category,
        "severity": rules.severity,
        "hold": rules.hold,
        "case": rules.case,
        "deadline_hours": rules.deadline.total_seconds() / 3600,
        "default_actions": list(rules.default_actions),
        "strikes": rules.strikes,
        "refer_to_authority": rules.refer_to_authority,
        "examples": rules.examples,
    }
