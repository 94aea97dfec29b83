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


@pytest.fixture
def followed_by(make_member):
    """Give an account an audience of ``count`` long-standing members: a flagged post by an
    account nobody follows is only watched (expected harm too low), not a case."""
    from datetime import timedelta

    from django.utils import timezone

    from parley.accounts.services import follow

    def audience(user, count: int = 5):
        for _ in range(count):
            fan = make_member(date_joined=timezone.now() - timedelta(days=400))
            follow(fan, user)
        return user

    return audience
