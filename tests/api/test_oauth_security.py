"""OAuth hardening, through real HTTP flows: PKCE S256 only, single-use codes, safe redirect
URIs, client_credentials tokens, and limits on minting apps and tokens and on logins."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from parley.accounts.models import User
from parley.api.models import MastodonApp
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
REDIRECT = "https://app.example/callback"


def register_app(redirect_uris: str = REDIRECT, scopes: str = "read write", **extra):
    return Client().post("/api/v1/apps", {"client_name": "Test app",
                                          "redirect_uris": redirect_uris, "scopes": scopes},
                         **extra)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(client: Client, app: dict, redirect: str = REDIRECT, **pkce):
    params = {"client_id": app["client_id"], "response_type": "code",
              "redirect_uri": redirect, "scope": "read", **pkce}
    return client.post("/oauth/authorize", {**params, "allow": "Authorize"})


def exchange(app: dict, code: str, verifier: str | None = None, **extra):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": app["client_id"], "client_secret": app["client_secret"]}
    if verifier is not None:
        data["code_verifier"] = verifier
    return Client().post("/oauth/token", data, **extra)


def code_of(response) -> str:
    assert response.status_code == 302, response.content[:300]
    return parse_qs(urlparse(response["Location"]).query)["code"][0]


def error_of(response) -> str:
    """An authorization error: in the redirect back to the app, or on the page."""
    if response.status_code == 302:
        return parse_qs(urlparse(response["Location"]).query).get("error", [""])[0]
    return response.content.decode()


# -- PKCE --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [{"code_challenge_method": "plain"}, {}])
def test_pkce_plain_is_refused(member, method):
    app = register_app().json()
    client = Client()
    client.force_login(member)
    verifier = secrets.token_urlsafe(48)
    refused = authorize(client, app, code_challenge=verifier, **method)
    assert "code" not in parse_qs(urlparse(refused.get("Location", "")).query)
    assert "challenge" in error_of(refused) or "invalid_request" in error_of(refused)
    page = client.get("/oauth/authorize", {"client_id": app["client_id"],
                                           "response_type": "code", "redirect_uri": REDIRECT,
                                           "scope": "read", "code_challenge": verifier,
                                           **method})
    assert page.status_code != 200 or "Authorize Test app" not in page.content.decode()


def test_a_wrong_code_verifier_spends_the_code(member):
    app = register_app().json()
    client = Client()
    client.force_login(member)
    verifier = secrets.token_urlsafe(48)
    code = code_of(authorize(client, app, code_challenge=s256(verifier),
                             code_challenge_method="S256"))

    assert exchange(app, code, "a wrong guess at the verifier, long enough").status_code == 400
    again = exchange(app, code, verifier)

    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_the_right_verifier_still_gets_a_token(member):
    app = register_app().json()
    client = Client()
    client.force_login(member)
    verifier = secrets.token_urlsafe(48)
    code = code_of(authorize(client, app, code_challenge=s256(verifier),
                             code_challenge_method="S256"))
    assert exchange(app, code, verifier).json()["scope"] == "read"


# -- redirect URIs -----------------------------------------------------------------------------


@pytest.mark.parametrize("uri", [
    "javascript:alert(document.cookie)",
    "JavaScript://app.example/%0aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "https://app.example/callback#fragment",
    "/relative/callback",
    "https:///no-host",
    f"{REDIRECT} javascript:alert(1)",
])
def test_dangerous_redirect_uris_are_refused_at_registration(db, uri):
    response = register_app(uri)
    assert response.status_code == 422
    assert response.json()["error"].startswith("Validation failed: Redirect URI")
    assert not MastodonApp.objects.exists()


@pytest.mark.parametrize("uri", [
    "urn:ietf:wg:oauth:2.0:oob", "myapp://callback", "com.example.app:/oauth", REDIRECT,
    "http://localhost:4000/cb",
])
def test_usual_redirect_uris_are_accepted(db, uri):
    response = register_app(uri)
    assert response.status_code == 200 and response.json()["redirect_uri"] == uri


def test_a_native_app_scheme_gets_its_code(member):
    app = register_app("myapp://callback").json()
    client = Client()
    client.force_login(member)
    verifier = secrets.token_urlsafe(48)
    approved = authorize(client, app, "myapp://callback", code_challenge=s256(verifier),
                         code_challenge_method="S256")
    assert approved["Location"].startswith("myapp://callback?code=")


# -- client_credentials ------------------------------------------------------------------------


def app_token(app: dict, scope: str = "read write") -> dict:
    response = Client().post("/oauth/token", {
        "grant_type": "client_credentials", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": scope})
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def test_a_client_credentials_token_is_an_app_not_a_user(member):
    from parley.posts import services as post_services

    post = post_services.create_post(member, "Public hello")
    app = register_app().json()
    auth = app_token(app)
    client = Client()

    assert client.get("/api/v1/apps/verify_credentials", **auth).json()["name"] == "Test app"
    assert client.get("/api/v1/timelines/public", **auth).status_code == 200
    needs_user = {
        ("get", "/api/v1/timelines/home"), ("get", "/api/v1/accounts/verify_credentials"),
        ("get", "/api/v1/notifications"), ("get", "/api/parley/v1/statements"),
        ("post", f"/api/v1/statuses/{post.pk}/favourite"), ("post", "/api/v1/reports"),
        ("post", "/api/v1/statuses"), ("post", f"/api/v1/accounts/{member.pk}/follow"),
        ("post", "/api/v1/media"), ("patch", "/api/v1/accounts/update_credentials"),
    }
    for method, path in needs_user:
        if method == "get":
            response = client.get(path, **auth)
        else:
            response = getattr(client, method)(path, '{"status": "hi"}',
                                               content_type="application/json", **auth)
        assert response.status_code in (403, 422), (path, response.status_code)
        if response.status_code == 422:
            assert response.json() == {"error": "This method requires an authenticated user"}
    assert client.get("/api/v1/timelines/home", **auth).status_code == 422


def test_a_client_credentials_token_never_gets_admin_scopes(db):
    app = register_app(scopes="read admin:read").json()
    response = Client().post("/oauth/token", {
        "grant_type": "client_credentials", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "read admin:read"})
    assert response.json()["scope"] == "read"


# -- minting limits ----------------------------------------------------------------------------


@pytest.fixture
def limits_on(settings, monkeypatch):
    settings.PARLEY_RATE_LIMITS = True

    def set_limit(bucket: str, value: str) -> None:
        monkeypatch.setenv(f"PARLEY_RATE_LIMIT_{bucket}", value)

    return set_limit


def test_one_ip_registers_a_limited_number_of_apps(db, limits_on):
    limits_on("APP_IP", "2/600")
    codes = [register_app().status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert register_app(REMOTE_ADDR="10.0.0.9").status_code == 200  # another address
    assert MastodonApp.objects.count() == 3


def test_one_ip_mints_a_limited_number_of_tokens(db, limits_on):
    app = register_app().json()
    limits_on("TOKEN_IP", "2/300")
    codes = [Client().post("/oauth/token", {
        "grant_type": "client_credentials", "client_id": app["client_id"],
        "client_secret": app["client_secret"]}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


# -- login limit on the password grant ---------------------------------------------------------


def password_grant(app: dict, username: str, password: str, ip: str):
    return Client().post("/oauth/token", {
        "grant_type": "password", "username": username, "password": password,
        "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": "read",
    }, REMOTE_ADDR=ip)


def test_the_password_grant_has_the_per_account_login_limit(member, limits_on):
    app = register_app().json()
    limits_on("LOGIN_ACCOUNT", "3/300")
    # From three addresses, so only the per-account limit can stop the fourth try.
    for i in range(3):
        assert password_grant(app, "alice", "guess", f"10.0.0.{i}").status_code in (400, 401)
    blocked = password_grant(app, "alice", PASSWORD, "10.0.0.99")
    assert blocked.status_code == 429 and "error" in blocked.json()
    assert password_grant(app, "bob", "guess", "10.0.0.99").status_code in (400, 401)


def test_web_and_api_logins_share_the_account_limit(member, limits_on):
    app = register_app().json()
    limits_on("LOGIN_ACCOUNT", "3/300")
    web = Client()
    for _ in range(2):
        assert web.post("/login", {"username": "alice", "password": "nope"}).status_code == 200
    assert password_grant(app, "alice", "nope", "10.0.0.5").status_code in (400, 401)
    assert password_grant(app, "alice", PASSWORD, "10.0.0.6").status_code == 429
    assert not User.objects.filter(username="alice", last_login__isnull=False).exists()


def test_username_and_email_share_one_login_budget(member, limits_on):
    app = register_app().json()
    limits_on("LOGIN_ACCOUNT", "2/300")
    assert password_grant(app, "alice", "nope", "10.0.0.1").status_code in (400, 401)
    assert password_grant(app, member.email, "nope", "10.0.0.2").status_code in (400, 401)
    assert password_grant(app, member.email.upper(), PASSWORD, "10.0.0.3").status_code == 429
