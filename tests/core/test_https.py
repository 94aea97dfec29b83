"""PARLEY_HTTPS=on: Secure cookies, HSTS, and X-Forwarded-Proto believed only from the proxy."""

import pytest
from django.test import Client, override_settings

from parley.settings import https_settings, trusted_proxies
from tests.conftest import PASSWORD

BEHIND_NGINX = {"PARLEY_HTTPS": "on", "PARLEY_TRUSTED_PROXIES": "127.0.0.1"}


def test_off_by_default():
    assert https_settings({}) == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_the_proxy_header_needs_a_trusted_proxy():
    assert https_settings({"PARLEY_HTTPS": "on"})["SECURE_PROXY_SSL_HEADER"] is None
    assert https_settings(BEHIND_NGINX)["SECURE_PROXY_SSL_HEADER"] == (
        "HTTP_X_FORWARDED_PROTO",
        "https",
    )


def test_hsts_and_redirect_are_configurable():
    values = https_settings(
        BEHIND_NGINX | {"PARLEY_HSTS_SECONDS": "600", "PARLEY_SSL_REDIRECT": "on"}
    )
    assert values["SECURE_HSTS_SECONDS"] == 600 and values["SECURE_SSL_REDIRECT"] is True
    assert https_settings(BEHIND_NGINX)["SECURE_HSTS_SECONDS"] == 31536000


@pytest.fixture
def https_on():
    with override_settings(
        **https_settings(BEHIND_NGINX), PARLEY_TRUSTED_PROXIES=trusted_proxies("127.0.0.1")
    ):
        yield


def log_in(remote: str = "127.0.0.1"):
    client = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_PROTO="https")
    client.get("/login")
    return client.post("/login", {"username": "alice", "password": PASSWORD})


def test_cookies_are_secure_and_hsts_is_sent_behind_a_tls_proxy(member, https_on):
    response = log_in()
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["csrftoken"]["secure"] is True
    page = Client().get("/public", HTTP_X_FORWARDED_PROTO="https")
    assert page["Strict-Transport-Security"] == "max-age=31536000"


def test_a_client_bypassing_the_proxy_cannot_claim_https(db, https_on):
    page = Client(REMOTE_ADDR="198.51.100.9").get("/public", HTTP_X_FORWARDED_PROTO="https")
    assert page.status_code == 200
    assert "Strict-Transport-Security" not in page


def test_plain_http_by_default(member):
    response = log_in()
    assert response.status_code == 302
    assert not response.cookies["sessionid"]["secure"]
    assert "Strict-Transport-Security" not in Client().get("/public")
