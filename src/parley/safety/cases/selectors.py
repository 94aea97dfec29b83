"""Reads of cases, notices and rules."""

from __future__ import annotations

from django.db.models import QuerySet

from parley.safety.cases.models import OPEN_STATES, Case, InstanceRule


def instance_rules() -> QuerySet[InstanceRule]:
    return InstanceRule.objects.all()


def case_queue() -> QuerySet[Case]:
    """Open cases, most urgent first: escalated, then priority, then nearest deadline."""
    return (
        Case.objects.filter(state__in=OPEN_STATES)
        .select_related("post", "account", "claimed_by")
        .order_by("-escalated", "-priority", "deadline")
    )
