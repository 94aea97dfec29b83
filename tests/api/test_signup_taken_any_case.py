"""A username or email is taken whatever its case (checked through the lower() indexes
that keep sign-up from reading every member)."""

from __future__ import annotations

import pytest
from django.test import Client

from parley.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signup(username: str, email: str):
    return Client().post("/api/v1/accounts", {"username": username, "email": email,
                                              "password": PASSWORD, "agreement": "true"})


def test_a_name_or_email_taken_in_another_case_is_refused(make_member, settings):
    settings.PARLEY_CONFIRM_EMAIL = False
    make_member("alice")  # alice@example.org, as make_member names it
    alice_email = User.objects.get(username="alice").email

    by_name = signup("ALICE", "other@example.org")
    by_email = signup("alice2", alice_email.upper())

    assert by_name.status_code == 422
    assert "Username is already taken" in by_name.json()["error"]
    assert by_email.status_code == 422
    assert "Email is already in use" in by_email.json()["error"]
    assert signup("alice3", "alice3@example.org").status_code == 200
    assert sorted(User.objects.values_list("username", flat=True)) == ["alice", "alice3"]
