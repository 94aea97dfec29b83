"""Uploading images: what is refused (with a 422, never a 5xx) and how accepted files are stored."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from parley.core.errors import ValidationFailed
from parley.posts.media import CheckedImage, validate_image
from parley.posts.models import MediaAttachment
from tests.posts.imagefiles import (
    gif_claiming,
    jpeg_claiming,
    png_claiming,
    real_image,
    webp_claiming,
)

TOO_LARGE = "Image is too large"
NOT_AN_IMAGE = "File is not a supported image"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
STORED_NAME = re.compile(r"^media/[0-9a-f]{2}/[0-9a-f]{32}\.(png|jpg|gif|webp)$")

REFUSED = [
    ("66-byte png claiming 50000x50000", png_claiming(50000, 50000), TOO_LARGE),
    ("gif claiming 65535x65535", gif_claiming(65535, 65535), TOO_LARGE),
    ("jpeg claiming 60000x60000", jpeg_claiming(60000, 60000), TOO_LARGE),
    ("webp canvas claiming 16384x16384", webp_claiming(16384, 16384), TOO_LARGE),
    ("png one pixel over the matrix limit", png_claiming(4097, 4096), TOO_LARGE),
    ("png claiming no width", png_claiming(0, 10), NOT_AN_IMAGE),
    ("truncated png", real_image("PNG", (64, 64))[:-40], NOT_AN_IMAGE),
    ("html page", b"<!doctype html><script>alert(1)</script>", NOT_AN_IMAGE),
    ("svg with a script", SVG, NOT_AN_IMAGE),
    ("bmp (not an allowed format)", real_image("BMP"), NOT_AN_IMAGE),
    ("tiff (not an allowed format)", real_image("TIFF"), NOT_AN_IMAGE),
    ("random bytes", bytes(range(256)) * 4, NOT_AN_IMAGE),
]


def upload(api, data: bytes, filename: str = "picture.png", path: str = "/api/v2/media"):
    file = SimpleUploadedFile(filename, data, content_type="image/png")
    return api.post(path, {"file": file}, format="multipart")


def stored_files() -> list:
    root = settings.MEDIA_ROOT / "media"
    return sorted(root.rglob("*")) if root.exists() else []


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[c[0] for c in REFUSED])
def test_crafted_and_foreign_files_are_refused_with_422(member, api_for, name, data, message):
    before = stored_files()
    response = upload(api_for(member), data)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert MediaAttachment.objects.count() == 0
    assert stored_files() == before


@pytest.mark.django_db
def test_a_real_10000x10000_image_is_refused_above_the_advertised_matrix_limit(member, api_for):
    api = api_for(member)
    advertised = api.get("/api/v2/instance").json()["configuration"]["media_attachments"]
    limit = advertised["image_matrix_limit"]
    assert limit < 10000 * 10000
    response = upload(api, real_image("PNG", (10000, 10000), mode="1"))
    assert response.status_code == 422
    assert f"at most {limit} pixels" in response.json()["error"]


@pytest.mark.django_db
def test_an_image_exactly_at_the_matrix_limit_is_accepted(member, api_for):
    response = upload(api_for(member), real_image("PNG", (4096, 4096), mode="1"))
    assert response.status_code == 200
    assert response.json()["meta"]["original"]["size"] == "4096x4096"


@pytest.mark.django_db
def test_the_matrix_limit_is_a_setting_and_is_advertised(member, api_for, settings):
    settings.PARLEY_MEDIA_MATRIX_LIMIT = 100
    api = api_for(member)
    advertised = api.get("/api/v2/instance").json()["configuration"]["media_attachments"]
    assert advertised["image_matrix_limit"] == 100
    assert upload(api, real_image("PNG", (10, 11))).status_code == 422
    assert upload(api, real_image("PNG", (10, 10))).status_code == 200


@pytest.mark.django_db
def test_the_clients_filename_and_extension_are_not_kept(member, api_for):
    polyglot = real_image("PNG") + b"<html><script>alert(document.cookie)</script></html>"
    response = upload(api_for(member), polyglot, filename="polyhtml.html")
    assert response.status_code == 200
    item = MediaAttachment.objects.get()
    assert STORED_NAME.match(item.file.name) and item.file.name.endswith(".png")
    assert "polyhtml" not in response.json()["url"]
    assert response.json()["url"].endswith(item.file.name)
    assert item.content_type == "image/png"


@pytest.mark.django_db
def test_the_stored_extension_is_the_detected_type_not_the_claimed_one(member, api_for):
    api = api_for(member)
    for fmt, extension in [("JPEG", ".jpg"), ("GIF", ".gif"), ("WEBP", ".webp"), ("PNG", ".png")]:
        response = upload(api, real_image(fmt), filename="photo.png")
        assert response.status_code == 200, fmt
        name = MediaAttachment.objects.get(pk=response.json()["id"]).file.name
        assert STORED_NAME.match(name) and name.endswith(extension)
    names = list(MediaAttachment.objects.values_list("file", flat=True))
    assert len(set(names)) == 4


@pytest.mark.django_db
def test_avatar_and_header_are_stored_under_generated_names(member, api_for):
    api = api_for(member)
    response = api.patch(
        "/api/v1/accounts/update_credentials",
        {
            "avatar": SimpleUploadedFile("me.html", real_image("PNG"), content_type="text/html"),
            "header": SimpleUploadedFile("h.svg", real_image("JPEG", (30, 10))),
        },
        format="multipart",
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert re.match(r"^avatars/[0-9a-f]{2}/[0-9a-f]{32}\.png$", member.avatar.name)
    assert re.match(r"^headers/[0-9a-f]{2}/[0-9a-f]{32}\.jpg$", member.header.name)
    assert response.json()["avatar"].endswith(member.avatar.name)
    assert response.json()["header"].endswith(member.header.name)


@pytest.mark.django_db
def test_an_image_bomb_as_header_changes_nothing(member, api_for):
    response = api_for(member).patch(
        "/api/v1/accounts/update_credentials",
        {
            "display_name": "New name",
            "header": SimpleUploadedFile("h.png", png_claiming(50000, 50000)),
        },
        format="multipart",
    )
    assert response.status_code == 422
    assert TOO_LARGE in response.json()["error"]
    member.refresh_from_db()
    assert member.display_name == "" and not member.header


# -- properties: whatever the bytes, validate_image accepts or refuses, nothing else --------

SEEDS = [real_image(fmt, (5, 4)) for fmt in ("PNG", "JPEG", "GIF", "WEBP")]


def _checked_or_refused(data: bytes) -> CheckedImage | None:
    try:
        return validate_image(SimpleUploadedFile("x", data))
    except ValidationFailed:
        return None


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 10_000),
)
def test_mutated_images_are_accepted_or_refused_never_crash(seed, edits, cut):
    data = bytearray(seed)
    for position, value in edits:
        data[position % len(data)] = value
    checked = _checked_or_refused(bytes(data[: max(cut, 1)]))
    if checked is not None:
        assert checked.width * checked.height <= settings.PARLEY_MEDIA_MATRIX_LIMIT


CLAIMS = {
    "png": (png_claiming, 2**31 - 1),
    "gif": (gif_claiming, 2**16 - 1),
    "jpeg": (jpeg_claiming, 2**16 - 1),
    "webp": (webp_claiming, 2**24),
}


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(CLAIMS)), data=st.data())
def test_no_claimed_size_above_the_matrix_limit_is_ever_accepted(kind, data):
    craft, most = CLAIMS[kind]
    width = data.draw(st.integers(1, most), label="width")
    height = data.draw(st.integers(1, most), label="height")
    checked = _checked_or_refused(craft(width, height))
    if width * height > settings.PARLEY_MEDIA_MATRIX_LIMIT:
        assert checked is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [png_claiming(50000, 50000), real_image("PNG", (10000, 10000), mode="1")],
    ids=["bomb", "real 10000x10000"],
)
def test_the_web_forms_refuse_oversized_images_without_a_server_error(member, data):
    from django.test import Client

    web = Client()
    web.force_login(member)
    compose = web.post("/compose", {"text": "look", "visibility": "public",
                                    "image": SimpleUploadedFile("a.png", data)}, follow=True)
    profile = web.post("/settings/profile", {"display_name": "New",
                                             "avatar": SimpleUploadedFile("a.png", data)})
    assert compose.status_code == 200 and profile.status_code == 200
    assert not member.posts.exists() and MediaAttachment.objects.count() == 0
    member.refresh_from_db()
    assert not member.avatar and member.display_name == ""


@pytest.mark.django_db
def test_nul_characters_in_descriptions_are_refused_and_nothing_is_saved(member, api_for):
    api = api_for(member)
    file = SimpleUploadedFile("a.png", real_image("PNG"))
    refused = api.post("/api/v2/media", {"file": file, "description": "a\x00b"},
                       format="multipart")
    assert refused.status_code == 422 and "NUL" in refused.json()["error"]
    assert MediaAttachment.objects.count() == 0
    file = SimpleUploadedFile("a.png", real_image("PNG"))
    created = api.post("/api/v2/media", {"file": file, "description": "ab"}, format="multipart")
    changed = api.put(f"/api/v1/media/{created.json()['id']}", {"description": "c\x00d"},
                      format="json")
    assert changed.status_code == 422
    assert MediaAttachment.objects.get().description == "ab"
