"""Shared fixtures: members made through the real services, clients that log in."""

from __future__ import annotations

import itertools
import os
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework.test import APIClient

from parley.accounts import services as account_services
from parley.accounts.models import Role, User
from parley.api import rendered
from parley.posts import services as post_services
from parley.posts.models import Post

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    rendered.forget_all()  # ids are reused once a test's transaction is rolled back
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
def publish(django_capture_on_commit_callbacks):
    """``create_post`` and its fan-out, which the worker runs once the post is committed.

    Until fan-out (the accurate tier) has run, only the author may see a post; tests that
    do not commit (no ``transaction=True``) use this to get a post others may see."""

    def make(author: User, text: str, **options) -> Post:
        with django_capture_on_commit_callbacks(execute=True):
            post = post_services.create_post(author, text, **options)
        post.refresh_from_db()
        return post

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


@pytest.fixture
def oauth_app(db):
    Application = get_application_model()
    return Application.objects.create(
        name="test app",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        scopes="read write follow push admin:read admin:write",
        algorithm="",
    )


@pytest.fixture
def api_for(oauth_app):
    """An APIClient authenticated as ``user`` with the given scopes (asked again for the
    same member and scopes, it uses the same token)."""

    def make(user, scope: str = "read write follow") -> APIClient:
        token, _ = get_access_token_model().objects.update_or_create(
            token=f"tok-{user.pk}-{scope.replace(' ', '-')}",
            defaults={"user": user, "application": oauth_app, "scope": scope,
                      "expires": timezone.now() + timedelta(days=1)},
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
        return client

    return make


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    """Debian's chromium, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test
    # itself are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
