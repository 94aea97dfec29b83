"""Fixtures for screening tests: what moderators would look at (audit log, cases)."""

from __future__ import annotations

import pytest

from parley.safety.models import AuditEntry


@pytest.fixture
def audit_events():
    """The audit log's event names, oldest first, optionally only those starting with a prefix."""

    def events(prefix: str = "") -> list[str]:
        return list(AuditEntry.objects.filter(event__startswith=prefix)
                    .order_by("id").values_list("event", flat=True))

    return events


@pytest.fixture
def cases_about():
    from parley.safety.cases.models import Case

    def cases(*, post=None, account=None):
        found = Case.objects.all()
        if post is not None:
            found = found.filter(post=post)
        if account is not None:
            found = found.filter(account=account, post__isnull=True)
        return list(found)

    return cases
