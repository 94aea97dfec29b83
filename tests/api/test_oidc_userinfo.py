"""OpenID Connect's UserInfo (Mastodon 4.4): an app that logged a member in asks who it is."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.test import Client

from tests.api.contracts import entities as E
from tests.api.contracts.checker import assert_entity

pytestmark = pytest.mark.django_db


def _userinfo_path() -> str:
    metadata = Client().get("/.well-known/oauth-authorization-server").json()
    return urlparse(metadata["userinfo_endpoint"]).path


def test_an_app_finds_userinfo_in_the_metadata_and_learns_who_logged_in(make_member, api_for):
    carol = make_member("carol", display_name="Carol C.")
    client = api_for(carol, "profile")
    for answer in (client.get(_userinfo_path()), client.post(_userinfo_path())):
        assert answer.status_code == 200
        info = answer.json()
        assert_entity(info, E.USERINFO, "UserInfo")
        assert info["preferred_username"] == "carol" and info["name"] == "Carol C."
        assert info["sub"] == "http://testserver/users/carol"
        assert info["profile"] == "http://testserver/@carol"
        assert info["iss"] == "http://testserver/"


def test_userinfo_needs_a_token_with_the_profile_scope(member, api_for):
    assert Client().get("/oauth/userinfo").status_code == 401
    refused = api_for(member, "write").get("/oauth/userinfo")
    assert refused.status_code == 403 and "error" in refused.json()
    assert api_for(member, "read write follow profile").get("/oauth/userinfo").status_code == 200
