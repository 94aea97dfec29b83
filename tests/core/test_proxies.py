"""Behind a reverse proxy, rate limits count each real client, and only our proxy's
X-Forwarded-For / X-Forwarded-Proto are believed."""

import pytest
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from parley.core.ratelimits import client_ip
from parley.settings import trusted_proxies

PROXY = "127.0.0.1"  # the test client's REMOTE_ADDR


def ip_of(remote: str, forwarded_for: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_ip(RequestFactory().get("/", **meta))


@pytest.fixture
def behind_proxy(settings):
    settings.PARLEY_TRUSTED_PROXIES = trusted_proxies("127.0.0.1, 10.0.0.0/8")


def test_nobody_is_trusted_by_default(settings):
    assert settings.PARLEY_TRUSTED_PROXIES == ()
    assert ip_of("127.0.0.1", "203.0.113.7") == "127.0.0.1"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(behind_proxy):
    assert ip_of("198.51.100.9", "203.0.113.7") == "198.51.100.9"


def test_a_trusted_proxy_names_the_client(behind_proxy):
    assert ip_of(PROXY, "203.0.113.7") == "203.0.113.7"


def test_the_right_most_untrusted_hop_wins_over_what_the_client_wrote(behind_proxy):
    # The client forged "1.2.3.4"; nginx appended the real peer; an inner proxy relayed it.
    assert ip_of(PROXY, "1.2.3.4, 203.0.113.7, 10.1.2.3") == "203.0.113.7"


def test_ports_and_ipv6_forms_are_understood(behind_proxy):
    assert ip_of(PROXY, "203.0.113.7:51234") == "203.0.113.7"
    assert ip_of(PROXY, "[2001:db8::1]:443") == "2001:db8::1"
    assert ip_of("::ffff:127.0.0.1", "2001:db8::2") == "2001:db8::2"


def test_a_trusted_proxy_without_the_header_is_the_client(behind_proxy):
    assert ip_of(PROXY) == PROXY
    assert ip_of(PROXY, "10.9.9.9") == "10.9.9.9"  # only our own hops: the first is the origin


@given(st.text(max_size=200))
def test_an_untrusted_peer_never_chooses_its_address(header):
    from django.test import override_settings

    with override_settings(PARLEY_TRUSTED_PROXIES=trusted_proxies("127.0.0.1")):
        assert ip_of("198.51.100.9", header) == "198.51.100.9"


def test_an_invalid_trusted_proxy_setting_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="not an IP address"):
        trusted_proxies("127.0.0.1, nginx")


def public_timeline(forwarded_for: str) -> int:
    return Client().get("/api/v1/timelines/public", HTTP_X_FORWARDED_FOR=forwarded_for).status_code


def test_rate_limits_count_each_client_behind_the_proxy(behind_proxy, db, settings, monkeypatch):
    settings.PARLEY_RATE_LIMITS = True
    monkeypatch.setenv("PARLEY_RATE_LIMIT_API_IP", "2/300")
    assert [public_timeline("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert public_timeline("203.0.113.8") == 200
    # Forging another address in front of the proxy's does not escape the limit.
    assert public_timeline("198.51.100.1, 203.0.113.7") == 429


def test_without_trusted_proxies_forged_headers_do_not_escape_the_limit(db, settings, monkeypatch):
    settings.PARLEY_RATE_LIMITS = True
    monkeypatch.setenv("PARLEY_RATE_LIMIT_API_IP", "2/300")
    codes = [public_timeline(f"203.0.113.{i}") for i in range(3)]
    assert codes == [200, 200, 429]
