"""OAuth2 as Mastodon apps use it: app registration, authorization code + PKCE, refresh,
revoke, and the password grant."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "https://app.example/callback"


def register_app(client: Client) -> dict:
    response = client.post(
        "/api/v1/apps",
        {"client_name": "Test app", "redirect_uris": REDIRECT, "scopes": "read write"},
    )
    assert response.status_code == 200
    return response.json()


def test_authorization_code_with_pkce(member):
    client = Client()
    app = register_app(client)
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    params = {
        "client_id": app["client_id"],
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "read write",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    assert client.get("/oauth/authorize", params).status_code == 302  # to the login page
    client.force_login(member)
    page = client.get("/oauth/authorize", params)
    assert page.status_code == 200 and "Authorize Test app" in page.content.decode()
    approved = client.post("/oauth/authorize", {**params, "allow": "Authorize"})
    code = parse_qs(urlparse(approved["Location"]).query)["code"][0]

    token = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "code_verifier": verifier,
            },
        )
        .json()
    )
    assert token["scope"] == "read write" and "created_at" in token
    me = Client().get(
        "/api/v1/accounts/verify_credentials", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}"
    )
    assert me.json()["username"] == member.username

    refreshed = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
        )
        .json()
    )
    assert refreshed["access_token"] != token["access_token"]

    revoked = Client().post(
        "/oauth/revoke",
        {
            "token": refreshed["access_token"],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert revoked.status_code == 200
    after = Client().get(
        "/api/v1/accounts/verify_credentials",
        HTTP_AUTHORIZATION=f"Bearer {refreshed['access_token']}",
    )
    assert after.status_code == 401


def test_wrong_pkce_verifier_is_refused(member):
    client = Client()
    app = register_app(client)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(b"right" * 10).digest()).rstrip(b"=").decode()
    )
    params = {
        "client_id": app["client_id"],
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "read",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    client.force_login(member)
    approved = client.post("/oauth/authorize", {**params, "allow": "Authorize"})
    code = parse_qs(urlparse(approved["Location"]).query)["code"][0]
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "code_verifier": "wrong" * 10,
        },
    )
    assert response.status_code == 400


def test_password_grant_accepts_email_or_username_and_rejects_bad_passwords(member):
    app = register_app(Client())
    for login in (member.email, member.username):
        response = Client().post(
            "/oauth/token",
            {
                "grant_type": "password",
                "username": login,
                "password": PASSWORD,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": "read",
            },
        )
        assert response.status_code == 200 and response.json()["scope"] == "read"
    bad = Client().post(
        "/oauth/token",
        {
            "grant_type": "password",
            "username": member.email,
            "password": "nope",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert bad.status_code in (400, 401)


def test_well_known_metadata_lists_the_endpoints(db):
    data = Client().get("/.well-known/oauth-authorization-server").json()
    assert data["token_endpoint"].endswith("/oauth/token")
    assert "S256" in data["code_challenge_methods_supported"]
    assert "password" in data["grant_types_supported"]


def test_app_registration_errors_are_mastodon_shaped(db):
    response = Client().post("/api/v1/apps", {"redirect_uris": REDIRECT})
    assert response.status_code == 422 and "name" in response.json()["error"]


def test_a_suspended_member_gets_a_token_that_reaches_only_statements(member, moderator):
    from datetime import timedelta

    from parley.posts import services as post_services
    from parley.safety.cases.actions import take_action
    from parley.safety.cases.services import open_case_about_account

    post_services.create_post(member, "hello")
    take_action(open_case_about_account(member, moderator), moderator, "suspend",
                reason="ban evasion", duration=timedelta(days=3))
    app = register_app(Client())
    token = Client().post("/oauth/token", {
        "grant_type": "password", "username": member.email, "password": PASSWORD,
        "client_id": app["client_id"], "client_secret": app["client_secret"],
        "scope": "read write",
    }).json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    [statement] = Client().get("/api/parley/v1/statements", **auth).json()
    assert statement["measure"] == "suspend"
    assert Client().get("/api/v1/timelines/home", **auth).status_code == 403
    refused = Client().post("/api/v1/statuses", {"status": "still here"}, **auth)
    assert refused.status_code == 403
