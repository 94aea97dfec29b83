"""Malformed, oversized and out-of-range input gets a clear 4xx with Mastodon's error JSON,
never a 500 or an HTML page, and nothing is half-saved."""

from __future__ import annotations

import errno
import io
import json

import pytest
from django.test import Client
from PIL import Image

from parley.posts.models import MediaAttachment, Post

pytestmark = pytest.mark.django_db

HUGE_ID = "9" * 30  # far beyond a signed 64-bit integer
BEYOND_64_BITS = str(2**64 + 5)
NESTED = "[" * 100_000 + "]" * 100_000


def error_of(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


# -- deeply nested JSON ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/apps", "/oauth/token", "/api/v1/accounts", "/api/v1/statuses"]
)
def test_deeply_nested_json_is_a_400(path, member, api_for):
    client = api_for(member)
    response = client.post(path, data=NESTED, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert response.json()["error"]
    assert not Post.objects.exists()


def test_json_nested_deeper_than_the_limit_but_not_recursion_deep_is_refused(member, api_for):
    body = {"status": "hi"}
    for _ in range(100):
        body = {"status": body}
    response = api_for(member).post("/api/v1/statuses", body, format="json")
    assert "nested" in error_of(response, 400)


# -- limits and offsets ----------------------------------------------------------------------


@pytest.mark.parametrize("relation", ["followers", "following"])
def test_a_negative_limit_is_clamped_like_mastodon(relation, member, other_member, api_for):
    api_for(other_member).post(f"/api/v1/accounts/{member.pk}/follow")
    api_for(member).post(f"/api/v1/accounts/{other_member.pk}/follow")
    response = Client().get(f"/api/v1/accounts/{member.pk}/{relation}?limit=-5")
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_a_negative_limit_on_account_search_is_clamped(member, other_member, api_for):
    response = api_for(member).get("/api/v1/accounts/search", {"q": "bob", "limit": "-3"})
    assert response.status_code == 200
    assert [a["username"] for a in response.json()] == ["bob"]


def test_relationships_with_ids_beyond_64_bits(member, other_member, api_for):
    response = api_for(member).get(
        f"/api/v1/accounts/relationships?id[]={BEYOND_64_BITS}&id[]={other_member.pk}"
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [str(other_member.pk)]


def test_search_offset_beyond_64_bits_is_a_422(member, api_for):
    response = api_for(member).get("/api/v2/search", {"q": "bob", "offset": BEYOND_64_BITS})
    assert "offset" in error_of(response, 422)


def test_case_queue_offset_beyond_64_bits_is_a_422(moderator, api_for):
    client = api_for(moderator, "read write admin:read admin:write")
    response = client.get("/api/parley/v1/cases", {"offset": BEYOND_64_BITS})
    assert "offset" in error_of(response, 422)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/statuses/{HUGE_ID}",
        f"/api/v1/accounts/{HUGE_ID}",
        f"/api/v1/accounts/{HUGE_ID}/statuses",
        f"/api/v1/notifications/{HUGE_ID}",
        f"/api/v1/media/{HUGE_ID}",
        f"/api/parley/v1/cases/{HUGE_ID}",
        f"/api/v1/admin/accounts/{HUGE_ID}",
        f"/api/parley/v1/statements/{HUGE_ID}",
    ],
)
def test_an_id_beyond_64_bits_in_a_path_is_not_found(path, admin_user, api_for):
    client = api_for(admin_user, "read write follow admin:read admin:write")
    assert "not found" in error_of(client.get(path), 404)


@pytest.mark.parametrize("param", ["max_id", "since_id", "min_id"])
def test_a_paging_id_beyond_64_bits_is_a_422(param, member, api_for):
    response = api_for(member).get("/api/v1/timelines/home", {param: HUGE_ID})
    assert param in error_of(response, 422)


def test_ids_beyond_64_bits_in_a_new_status(member, api_for):
    client = api_for(member)
    reply = client.post("/api/v1/statuses", {"status": "hi", "in_reply_to_id": HUGE_ID})
    assert error_of(reply, 404) == "Record not found"
    media = client.post("/api/v1/statuses", {"status": "hi", "media_ids[]": [HUGE_ID]})
    error_of(media, 422)
    assert not Post.objects.exists()


def test_a_report_with_ids_beyond_64_bits(member, other_member, api_for):
    client = api_for(member)
    response = client.post(
        "/api/v1/reports", {"account_id": other_member.pk, "status_ids[]": [HUGE_ID]}
    )
    assert error_of(response, 404) == "Record not found"
    response = client.post("/api/v1/reports", {"account_id": HUGE_ID})
    assert error_of(response, 404) == "Record not found"


def test_unicode_digits_in_report_rule_ids(member, other_member, api_for):
    response = api_for(member).post(
        "/api/v1/reports", {"account_id": other_member.pk, "rule_ids[]": ["²", "١٢"]}
    )
    error_of(response, 422)


# -- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/statuses/١٢٣",
        "/api/v1/accounts/é",
        "/api/v1/accounts/%C3%A9/statuses",
        "/api/v1/nothing-here",
        "/api/v3/instance",
        "/api/parley/v1/nothing",
        "/oauth/nothing",
        "/api/v1/statuses/abc",
    ],
)
def test_unknown_api_paths_answer_json_404(path):
    assert error_of(Client().get(path), 404) == "Record not found"


def test_a_nul_byte_in_a_path_is_not_found():
    assert error_of(Client().get("/api/v1/timelines/tag/a%00b"), 404) == "Record not found"


def test_web_pages_still_answer_html_404():
    response = Client().get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


# -- bodies ----------------------------------------------------------------------------------


def test_a_20_mb_json_body_is_a_json_413(member, api_for):
    body = json.dumps({"status": "x" * (20 * 1024 * 1024)})
    response = api_for(member).post("/api/v1/statuses", data=body, content_type="application/json")
    assert "too large" in error_of(response, 413)
    assert not Post.objects.exists()


def test_a_20_mb_form_body_is_a_json_413(member, api_for):
    response = api_for(member).post(
        "/api/v1/statuses",
        data="status=" + "x" * (20 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    error_of(response, 413)


def test_a_20_mb_upload_is_a_json_413(member, api_for):
    upload = io.BytesIO(b"\x89PNG" + b"\0" * (20 * 1024 * 1024))
    upload.name = "big.png"
    response = api_for(member).post("/api/v1/media", {"file": upload}, format="multipart")
    error_of(response, 413)
    assert not MediaAttachment.objects.exists()


def test_too_many_form_fields_is_a_json_400(member, api_for):
    body = "&".join(f"f{i}=1" for i in range(1500))
    response = api_for(member).post(
        "/api/v1/statuses", data=body, content_type="application/x-www-form-urlencoded"
    )
    error_of(response, 400)


# -- failures of the machine -----------------------------------------------------------------


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "red.png"
    return buffer


@pytest.mark.django_db(transaction=True)
def test_a_full_disk_is_a_json_507(member, api_for, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    response = api_for(member).post("/api/v1/media", {"file": _png()}, format="multipart")
    assert "storage" in error_of(response, 507).lower()
    assert not MediaAttachment.objects.exists()


def test_an_unexpected_failure_is_a_json_500(member, api_for, monkeypatch):
    from parley.api import views_misc

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views_misc, "_rules", broken)
    response = api_for(member).get("/api/v1/instance/rules")
    message = error_of(response, 500)
    assert "a bug" not in message
