"""Uploaded files as browsers and apps fetch them: who may see which file, and the headers."""

from urllib.parse import urlparse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parley.accounts import services as accounts
from parley.posts import services as posts
from parley.posts.models import MediaAttachment, PostState
from parley.safety.cases.services import file_member_report
from tests.posts.imagefiles import real_image

pytestmark = pytest.mark.django_db(transaction=True)
IMAGE = real_image("PNG", (40, 30))


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def upload(api, data: bytes = IMAGE) -> dict:
    file = SimpleUploadedFile("holiday.png", data, content_type="image/png")
    response = api.post("/api/v2/media", {"file": file}, format="multipart")
    assert response.status_code == 200
    return response.json()


def path_of(url: str) -> str:
    return urlparse(url).path


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def author(make_member):
    return make_member("author")


@pytest.fixture
def posted(author, api_for):
    """A public post with one image; returns (post, media path)."""
    media = upload(api_for(author))
    post = posts.create_post(author, "look at this", media_ids=[media["id"]])
    return post, path_of(media["url"])


def test_anyone_gets_the_image_of_a_public_post_with_safe_headers(posted):
    _, path = posted
    response = browser().get(path)
    assert response.status_code == 200
    assert body(response) == IMAGE
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert response["Cache-Control"].startswith("public, max-age=31536000")
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] and response["Last-Modified"]


def test_a_cached_copy_is_revalidated_with_304(posted):
    _, path = posted
    first = browser().get(path)
    by_etag = browser().get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = browser().get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_etag.status_code == 304 and by_date.status_code == 304
    assert by_etag["ETag"] == first["ETag"]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-9", 0, 9), ("bytes=100-", 100, len(IMAGE) - 1), ("bytes=-7", len(IMAGE) - 7,
     len(IMAGE) - 1), ("bytes=5-999999", 5, len(IMAGE) - 1)],
)
def test_a_range_request_gets_206_with_content_range(posted, header, start, end):
    _, path = posted
    response = browser().get(path, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(IMAGE)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert body(response) == IMAGE[start : end + 1]
    assert response["Content-Type"] == "image/png"


def test_an_unsatisfiable_range_gets_416_and_odd_ranges_the_whole_file(posted):
    _, path = posted
    beyond = browser().get(path, HTTP_RANGE=f"bytes={len(IMAGE)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(IMAGE)}"
    for odd in ("bytes=0-1,5-6", "lines=1-2", "bytes=9-3", "bytes=x-"):
        response = browser().get(path, HTTP_RANGE=odd)
        assert response.status_code == 200 and body(response) == IMAGE, odd
    stale = browser().get(path, HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE='"not-this-one"')
    assert stale.status_code == 200 and body(stale) == IMAGE


def test_head_gives_the_headers_without_the_bytes(posted):
    _, path = posted
    response = browser().head(path)
    assert response.status_code == 200 and body(response) == b""
    assert response["Content-Length"] == str(len(IMAGE))


def test_only_the_uploader_sees_an_upload_not_yet_attached(author, make_member, api_for):
    path = path_of(upload(api_for(author))["url"])
    assert browser(author).get(path).status_code == 200
    assert browser(author).get(path)["Cache-Control"] == "private, no-cache"
    assert browser(make_member("stranger")).get(path).status_code == 404
    assert browser().get(path).status_code == 404


@pytest.mark.parametrize("state", [PostState.HELD, PostState.REMOVED, PostState.DELETED])
def test_media_of_held_removed_or_deleted_posts_is_hidden_from_others(
    posted, author, make_member, moderator, state
):
    post, path = posted
    if state == PostState.REMOVED:
        posts.transition_post(post, PostState.HELD)
    posts.transition_post(post, state)
    other = browser(make_member("other"))
    response = other.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    assert browser().get(path).status_code == 404
    assert browser(author).get(path).status_code == 200
    assert browser(author).get(path)["Cache-Control"] == "private, no-cache"
    assert browser(moderator).get(path).status_code == 404  # no case concerns it
    file_member_report(make_member("reporter"), author, [post], "violation", comment="look")
    assert browser(moderator).get(path).status_code == (404 if state == PostState.DELETED else 200)
    assert other.get(path).status_code == 404


def test_restoring_a_held_post_shows_its_media_again(posted):
    post, path = posted
    posts.transition_post(post, PostState.HELD)
    assert browser().get(path).status_code == 404
    posts.transition_post(post, PostState.PUBLISHED)
    assert browser().get(path).status_code == 200


def test_followers_only_media_follows_the_posts_audience(author, make_member, api_for):
    media = upload(api_for(author))
    posts.create_post(author, "for my followers", media_ids=[media["id"]], visibility="private")
    path = path_of(media["url"])
    follower, stranger = make_member("fan"), make_member("stranger")
    accounts.follow(follower, author)
    assert browser(follower).get(path).status_code == 200
    assert browser(follower).get(path)["Cache-Control"] == "private, no-cache"
    assert browser(stranger).get(path).status_code == 404
    assert browser().get(path).status_code == 404
    # Mastodon apps fetch with their bearer token
    assert api_for(follower).get(path).status_code == 200
    assert api_for(stranger).get(path).status_code == 404


def test_a_blocked_member_does_not_get_the_media(posted, make_member):
    _, path = posted
    blocked = make_member("blocked")
    accounts.block(posted[0].author, blocked)
    assert browser(blocked).get(path).status_code == 404


def test_rows_stored_under_the_old_client_names_keep_working_safely(author):
    # Before generated names, a PNG/HTML polyglot was stored as "polyhtml.html".
    polyglot = IMAGE + b"<html><script>alert(document.cookie)</script></html>"
    name = default_storage.save("media/2025/11/polyhtml.html", ContentFile(polyglot))
    html = default_storage.save("media/2025/11/page.html", ContentFile(b"<script>x()</script>"))
    post = posts.create_post(author, "old post")
    for stored in (name, html):
        MediaAttachment.objects.create(owner=author, post=post, file=stored,
                                       content_type="image/png")
    image = browser().get(f"/media/{name}")
    assert image.status_code == 200 and body(image) == polyglot
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    not_image = browser().get(f"/media/{html}")
    assert not_image["Content-Type"] == "application/octet-stream"
    assert not_image["Content-Disposition"] == "attachment"


def test_unknown_names_and_paths_outside_the_media_folder_are_404(posted):
    for path in ("/media/media/00/nothere.png", "/media/../settings.py", "/media/%2e%2e/x",
                 "/media/avatars/", "/media/", "/media/media/%00.png", "/media/avatars/%00"):
        response = browser().get(path)
        assert response.status_code == 404, path


def test_only_get_and_head_are_allowed(posted):
    _, path = posted
    response = browser().post(path)
    assert response.status_code == 405 and "error" in response.json()


def test_avatars_and_headers_are_served_publicly(author, api_for):
    api = api_for(author)
    account = api.patch(
        "/api/v1/accounts/update_credentials",
        {"avatar": SimpleUploadedFile("a.gif", real_image("GIF")),
         "header": SimpleUploadedFile("h.jpg", real_image("JPEG", (60, 20)))},
        format="multipart",
    ).json()
    avatar = browser().get(path_of(account["avatar"]))
    header = browser().get(path_of(account["header"]))
    assert avatar.status_code == 200 and avatar["Content-Type"] == "image/gif"
    assert header.status_code == 200 and header["Content-Type"] == "image/jpeg"
    assert body(avatar) == real_image("GIF")
    assert avatar["Cache-Control"].startswith("public")


def test_a_suspended_accounts_avatar_is_only_shown_to_itself_and_moderators(
    author, api_for, moderator
):
    account = api_for(author).patch(
        "/api/v1/accounts/update_credentials",
        {"avatar": SimpleUploadedFile("a.png", IMAGE)},
        format="multipart",
    ).json()
    accounts.suspend_account(author)
    path = path_of(account["avatar"])
    assert browser().get(path).status_code == 404
    assert browser(moderator).get(path).status_code == 200


def test_behind_nginx_the_file_is_handed_to_an_internal_location(posted, settings):
    settings.PARLEY_MEDIA_ACCEL_REDIRECT = "/_protected_media/"
    post, path = posted
    name = post.media.get().file.name
    response = browser().get(path)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected_media/{name}"
    assert response["Content-Type"] == "image/png" and body(response) == b""
    posts.transition_post(post, PostState.HELD)
    held = browser().get(path)
    assert held.status_code == 404 and "X-Accel-Redirect" not in held


def test_with_x_sendfile_the_file_is_handed_to_the_web_server(posted, settings):
    settings.PARLEY_MEDIA_SENDFILE = True
    post, path = posted
    response = browser().get(path)
    assert response["X-Sendfile"] == default_storage.path(post.media.get().file.name)
    assert body(response) == b""
