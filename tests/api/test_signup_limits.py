"""Sign-up limits per IP, on the API and the web form: only accounts actually created count
against ``signup_ip``; failed attempts (a typo, a taken name) count in the larger
``signup_attempt_ip`` bucket, so they cost no sign-up slot."""

from __future__ import annotations

import pytest
from django.test import Client

from parley.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings, monkeypatch):
    settings.PARLEY_RATE_LIMITS = True
    settings.PARLEY_CONFIRM_EMAIL = False  # a created account signs in at once here
    monkeypatch.setenv("PARLEY_RATE_LIMIT_SIGNUP_IP", "1/1800")
    monkeypatch.setenv("PARLEY_RATE_LIMIT_SIGNUP_ATTEMPT_IP", "4/1800")


def api_signup(name: str, password: str = PASSWORD):
    return Client().post("/api/v1/accounts", {"username": name, "email": f"{name}@example.org",
                                              "password": password, "agreement": "true"})


def web_signup(name: str, password: str = PASSWORD):
    return Client().post("/signup", {"username": name, "email": f"{name}@example.org",
                                     "password": password, "reason": ""})


def test_api_failed_sign_ups_cost_no_slot(member, limits):
    assert api_signup("alice").status_code == 422  # taken
    assert api_signup("no spaces allowed").status_code == 422  # a typo
    assert api_signup("carol").status_code == 200
    refused = api_signup("dave")
    assert refused.status_code == 429 and refused.json()["error"]
    assert not User.objects.filter(username="dave").exists()  # nothing half-saved


def test_api_failed_attempts_have_their_own_larger_limit(member, limits):
    codes = [api_signup("alice").status_code for _ in range(4)]
    assert codes == [422] * 4
    assert api_signup("carol").status_code == 429
    assert not User.objects.filter(username="carol").exists()


def test_web_sign_up_with_a_taken_name_costs_no_slot(member, limits):
    taken = web_signup("alice")
    assert taken.status_code == 200 and "already taken" in taken.content.decode()
    assert web_signup("carol").status_code == 302
    assert web_signup("dave").status_code == 429
    assert not User.objects.filter(username="dave").exists()


def test_web_and_api_share_the_sign_up_limit(limits):
    assert web_signup("carol").status_code == 302
    assert api_signup("dave").status_code == 429
