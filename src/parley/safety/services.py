"""Changes to the safety policy table: admins only, every change audited."""

from __future__ import annotations

from django.db import transaction

from parley.accounts.models import User
from parley.core.errors import NotAllowed, ValidationFailed
from parley.safety import policy
from parley.safety.audit import record_event
from parley.safety.models import PolicyOverride
from parley.safety.screening import snapshots

TUNABLE = policy.TUNABLE


def change_policies(actor: User, changes_by_category: object) -> dict[str, policy.CategoryPolicy]:
    """Override values of one or more categories: all valid or nothing saved, each category's
    change audited in the same transaction. Returns the effective policy of each category."""
    if actor is None or not getattr(actor, "is_admin", False):
        raise NotAllowed("Only admins may change the policy")
    if not isinstance(changes_by_category, dict) or not changes_by_category:
        raise ValidationFailed('Send {"category": {"key": value}}')
    checked = {}
    for category, changes in changes_by_category.items():
        if isinstance(changes, dict) and not changes:
            raise ValidationFailed(f"Nothing to change for {category}")
        checked[category] = _checked_merge(category, changes)
    with transaction.atomic():
        return {category: _save_override(actor, category, values, changes_by_category[category])
                for category, values in checked.items()}


def change_policy(actor: User, category: str, changes: dict) -> policy.CategoryPolicy:
    """Override some values of one category's policy; returns the effective policy."""
    return change_policies(actor, {category: changes})[category]


def _checked_merge(category: str, changes: object) -> dict:
    """The category's stored override with ``changes`` applied, checked as a whole."""
    try:
        policy.check_override(category, changes)
        stored = PolicyOverride.objects.filter(category=category).first()
        kept = policy.usable_override(category, stored.values if stored else {}, "the database")
        new_values = {**kept, **changes}
        # the thresholds must stay ordered together with what the settings override
        policy.check_override(category, {**policy.settings_override(category), **new_values})
        return new_values
    except policy.InvalidPolicy as problem:
        raise ValidationFailed(str(problem)) from None


def _save_override(actor: User, category: str, values: dict, changes: dict
                   ) -> policy.CategoryPolicy:
    before = policy_as_dict(policy.category_policy(category))
    PolicyOverride.objects.update_or_create(category=category, defaults={"values": values})
    snapshots.mark_changed(snapshots.POLICY)
    after = policy.category_policy(category)
    record_event("policy.changed", actor=actor, subject_type="policy", subject_id=category,
                 data={"category": category, "changes": changes, "before": before,
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
        "case_harm": rules.case_harm,
        "refer_to_authority": rules.refer_to_authority,
        "examples": rules.examples,
    }
