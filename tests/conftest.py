"""Shared fixtures: members made through the real services, clients that log in."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache

from parley.accounts import services as account_services
from parley.accounts.models import Role, User

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_member(db):
    """Create an account through ``accounts.services.create_user``."""

    def make(username: str | None = None, role: str = Role.MEMBER, **fields) -> User:
        name = username or f"member{next(_counter)}"
        user = account_services.create_user(
            name, f"{name}@example.org", PASSWORD, role=role, approved=True
        )
        if fields:
            for key, value in fields.items():
                setattr(user, key, value)
            user.save()
        return user

    return make


@pytest.fixture
def member(make_member) -> User:
    return make_member("alice")


@pytest.fixture
def other_member(make_member) -> User:
    return make_member("bob")


@pytest.fixture
def moderator(make_member) -> User:
    return make_member("mod", role=Role.MODERATOR)


@pytest.fixture
def admin_user(make_member) -> User:
    return make_member("root", role=Role.ADMIN)
