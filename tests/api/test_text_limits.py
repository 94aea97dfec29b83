"""Every text field has a hard limit and refuses NUL characters: a long link no longer
slips past the post length, and nothing PostgreSQL would refuse reaches it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from parley.accounts.models import User
from parley.api.limits import TEXT_LIMITS
from parley.posts.models import Post

pytestmark = pytest.mark.django_db


def error_of(response, status: int = 422) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    return response.json()["error"]


def test_a_five_megabyte_link_is_refused(member, api_for):
    url = "https://example.org/" + "a" * (5 * 1024 * 1024)
    response = api_for(member).post("/api/v1/statuses", {"status": f"look {url}"})
    assert "too long" in error_of(response)
    assert not Post.objects.exists()


def test_a_link_over_the_byte_cap_is_refused_but_a_long_link_is_fine(member, api_for):
    client = api_for(member)
    fine = "https://example.org/" + "a" * 3000
    assert client.post("/api/v1/statuses", {"status": f"see {fine}"}).status_code == 200
    over = "https://example.org/" + "a" * settings.PARLEY_MAX_POST_BYTES
    assert "too long" in error_of(client.post("/api/v1/statuses", {"status": f"see {over}"}))
    assert Post.objects.count() == 1


def test_an_edit_is_held_to_the_same_cap(member, api_for):
    client = api_for(member)
    post = client.post("/api/v1/statuses", {"status": "short"}).json()
    url = "https://example.org/" + "a" * (settings.PARLEY_MAX_POST_BYTES + 1)
    response = client.put(f"/api/v1/statuses/{post['id']}", {"status": url}, format="json")
    assert "too long" in error_of(response)
    assert Post.objects.get().text == "short"


@pytest.mark.parametrize(
    "path, field, extra",
    [
        ("/api/v1/statuses", "status", {}),
        ("/api/v1/statuses", "spoiler_text", {"status": "hi"}),
        ("/api/v1/apps", "client_name", {"redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
        ("/api/v1/accounts/search", "q", {}),
    ],
)
def test_nul_characters_are_refused_in_json(path, field, extra, member, api_for):
    client = api_for(member)
    body = {**extra, field: "before\x00after"}
    method = client.get if path.endswith("search") else client.post
    kwargs = {} if method == client.get else {"format": "json"}
    response = method(path, body, **kwargs)
    assert "NUL" in error_of(response)
    assert not Post.objects.exists()


def test_nul_characters_are_refused_in_forms_queries_and_profiles(member, api_for):
    client = api_for(member)
    assert "NUL" in error_of(client.post("/api/v1/statuses", {"status": "a\x00b"}))
    assert "NUL" in error_of(client.get("/api/v2/search?q=a%00b"))
    response = client.patch(
        "/api/v1/accounts/update_credentials", "display_name=a%00b",
        content_type="application/x-www-form-urlencoded",
    )
    assert "NUL" in error_of(response)
    member.refresh_from_db()
    assert "\x00" not in member.display_name


def test_nul_characters_in_a_multipart_form_are_refused(member, api_for):
    response = api_for(member).patch(
        "/api/v1/accounts/update_credentials", {"note": "a\x00b"}, format="multipart"
    )
    assert "NUL" in error_of(response)


def test_nul_in_a_password_login_is_refused():
    body = {"grant_type": "password", "username": "a\x00", "password": "x"}
    assert "NUL" in error_of(Client().post("/oauth/token", body))
    form = "grant_type=password&username=a%00&password=x"
    response = Client().post(
        "/oauth/token", form, content_type="application/x-www-form-urlencoded"
    )
    assert "NUL" in error_of(response)


def test_an_escaped_backslash_before_u0000_is_not_a_nul(member, api_for):
    response = api_for(member).post(
        "/api/v1/statuses", data='{"status": "path C:\\\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 200
    assert Post.objects.get().text == "path C:\\u0000"


def test_lone_surrogates_are_refused(member, api_for):
    response = api_for(member).post(
        "/api/v1/statuses", data='{"status": "bad \\ud800"}', content_type="application/json"
    )
    assert "Unicode" in error_of(response)


@pytest.mark.parametrize(
    "path, field, method, extra",
    [
        ("/api/v1/accounts/update_credentials", "display_name", "patch", {}),
        ("/api/v1/accounts/update_credentials", "note", "patch", {}),
        ("/api/v1/apps", "client_name", "post", {"redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
        ("/api/v1/apps", "website", "post",
         {"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
        ("/api/v1/apps", "redirect_uris", "post", {"client_name": "x"}),
        ("/api/v1/reports", "comment", "post", {}),
        ("/api/v1/statuses", "spoiler_text", "post", {"status": "hi"}),
    ],
)
def test_text_fields_over_their_limit_are_a_422(
    path, field, method, extra, member, other_member, api_for
):
    if path == "/api/v1/reports":
        extra = {"account_id": other_member.pk}
    limit = TEXT_LIMITS[field]
    body = {**extra, field: "x" * (limit + 1)}
    response = getattr(api_for(member), method)(path, body, format="json")
    assert "too long" in error_of(response)
    assert User.objects.get(pk=member.pk).display_name != "x" * (limit + 1)


def test_media_description_over_1500_characters_is_refused_not_cut(member, api_for):
    from tests.api.test_bad_input import _png

    client = api_for(member)
    media = client.post("/api/v1/media", {"file": _png()}, format="multipart").json()
    response = client.put(f"/api/v1/media/{media['id']}", {"description": "d" * 1501})
    assert "too long" in error_of(response)


@given(st.text(min_size=1, max_size=40))
@hsettings(max_examples=60, deadline=None)
def test_any_text_is_a_post_or_a_clear_refusal(text):
    from parley.core.errors import ValidationFailed
    from parley.posts.services import _validate_text

    try:
        _validate_text(text, "", has_media=False)
    except ValidationFailed as exc:
        assert exc.message.startswith("Validation failed")
        assert "\x00" in text or not text.strip() or any(
            0xD800 <= ord(c) <= 0xDFFF for c in text
        )
