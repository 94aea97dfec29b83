"""A member deletes their own account: stopped at once, erased after the grace period."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from parley.accounts import services as accounts
from parley.accounts.models import Follow, User
from parley.posts import services as posts
from parley.posts.models import Post, PostState
from parley.safety.cases import services as cases
from parley.safety.models import AuditEntry
from parley.safety.transparency.selectors import Period, build_report
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def today() -> Period:
    return Period(timezone.localdate(), timezone.localdate())


def test_a_wrong_password_deletes_nothing(member):
    response = logged_in(member).post("/settings/delete", {"password": "not it"})
    assert response.status_code == 422
    assert "The password is not right" in response.content.decode()
    member.refresh_from_db()
    assert member.is_active and member.deletion_requested_at is None


def test_deleting_stops_the_account_at_once(member, other_member, api_for, publish):
    post = publish(member, "soon gone")
    app = api_for(member)
    assert logged_in(member).get("/settings/delete").status_code == 200

    web = logged_in(member)
    response = web.post("/settings/delete", {"password": PASSWORD})
    assert response.status_code == 200 and "Your account is deleted" in response.content.decode()
    assert web.get("/settings/profile").status_code == 302  # logged out
    assert not Client().login(username=member.username, password=PASSWORD)
    assert app.get("/api/v1/accounts/verify_credentials").status_code == 401
    assert api_for(other_member).get(f"/api/v1/statuses/{post.pk}").status_code == 404

    entry = AuditEntry.objects.get(event="account.deletion_requested")
    assert entry.subject_id == str(member.pk)
    assert member.username not in f"{entry.actor_label} {entry.data}"
    assert build_report(today())["account_deletions"] == {"requested": 1, "purged": 0}


def test_purge_erases_the_account_after_the_grace_period(member, other_member, moderator,
                                                         publish, settings):
    settings.PARLEY_DELETION_GRACE_DAYS = 30
    theirs = publish(other_member, "a post alice liked and echoed")
    posts.favourite(member, theirs)
    publish(member, "", reblog_of=theirs)
    plain = publish(member, "an ordinary post")
    reported = publish(member, "a post someone reported")
    case = cases.file_member_report(other_member, member, [reported], "spam").case
    cases.take_action(case, moderator, "remove")
    accounts.follow(member, other_member)
    logged_in(member).post("/settings/delete", {"password": PASSWORD})

    out = io.StringIO()
    call_command("user", "purge-deleted", stdout=out)
    assert "Purged 0" in out.getvalue()  # still within the grace period
    assert Post.objects.filter(pk=plain.pk).exists()

    User.objects.filter(pk=member.pk).update(
        deletion_requested_at=timezone.now() - timedelta(days=31))
    call_command("user", "purge-deleted", stdout=out)
    assert f"Purged 1 deleted account(s): ids {member.pk}" in out.getvalue()

    member.refresh_from_db()
    assert member.username == f"deleted-{member.pk}" and member.email == ""
    assert not member.has_usable_password() and member.purged_at is not None
    assert not Post.objects.filter(pk=plain.pk).exists()
    assert Post.objects.get(pk=reported.pk).state == PostState.REMOVED  # kept for the case
    assert not Follow.objects.filter(follower=member).exists()
    theirs.refresh_from_db()
    assert theirs.favourites_count == 0 and theirs.reblogs_count == 0
    entry = AuditEntry.objects.get(event="account.purged")
    assert entry.data == {"posts_erased": 2, "posts_kept_for_cases": 1}
    assert build_report(today())["account_deletions"] == {"requested": 1, "purged": 1}
    call_command("user", "purge-deleted", stdout=out)  # nothing left to do
    assert out.getvalue().rstrip().endswith("Purged 0 deleted account(s)")
