"""Seed the bench's members, follows, moderators and abuse desk through Parley's services.

Runs inside the server's environment (`parley bench seed`), as `parley user create` does.
Members get OAuth tokens the way sign-up issues them (`POST /api/v1/accounts`) and no usable
password: a password grant per member would cost an argon2 hash each, minutes in all."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.test.utils import override_settings
from django.utils import timezone

from parley.accounts import services as accounts
from parley.accounts.models import Role, User
from parley.safety.cases import services as cases

MEMBER_SCOPES = "read write follow"
MODERATOR_SCOPES = "read write admin:read admin:write"
# The random passwords are thrown away at once (set unusable), so hash them cheaply.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_community(spec: dict) -> dict:
    """Create what ``spec`` (``Community.seed_spec``) describes; return tokens by username."""
    prefix = spec["prefix"]
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        users = [_create(m["username"], Role.MEMBER) for m in spec["members"]]
        moderators = [_create(f"{prefix}mod{i}", Role.MODERATOR)
                      for i in range(spec["moderators"])]
        observer = _create(f"{prefix}observer", Role.MEMBER)
    now = timezone.now()
    for user, member in zip(users, spec["members"], strict=True):
        if member["age_days"]:  # an older account: backdated through the ORM
            User.objects.filter(pk=user.pk).update(
                date_joined=now - timedelta(days=member["age_days"]))
        for target in member["follows"]:
            accounts.follow(user, users[target])
    _, notifier_token = cases.create_notifier(f"{prefix} abuse desk", "hosting_provider")
    return {
        "members": {u.username: _token(u, MEMBER_SCOPES) for u in users},
        "moderators": {u.username: _token(u, MODERATOR_SCOPES) for u in moderators},
        "observer": _token(observer, "read"),
        "notifier": notifier_token,
        "member_ids": {u.username: str(u.pk) for u in users},
    }


def _create(username: str, role: str) -> User:
    user = accounts.create_user(username, f"{username}@bench.invalid", secrets.token_urlsafe(16),
                                role=role, approved=True)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _token(user: User, scope: str) -> str:
    from oauth2_provider.models import get_access_token_model

    token = get_access_token_model().objects.create(
        user=user, token=secrets.token_urlsafe(32), scope=scope,
        expires=timezone.now() + timedelta(days=2),
    )
    return token.token
