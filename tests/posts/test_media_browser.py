"""Images in the web UI as a browser loads them: shown to the post's readers, gone once held."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.posts import services as posts
from parley.posts.models import PostState
from parley.safety.cases.services import file_member_report
from tests.conftest import PASSWORD
from tests.posts.imagefiles import real_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, base: str, username: str):
    page = browser.new_context().new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


@pytest.fixture
def media_through_parley(monkeypatch):
    """Django's live server answers /media/ from MEDIA_ROOT itself, skipping Parley's view
    and its checks; let the requests reach the view, as under `parley serve`."""
    from django.test.testcases import _MediaFilesHandler

    monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda self, path: False)


def loaded_width(page) -> int:
    return page.locator("img.media").first.evaluate("img => img.complete && img.naturalWidth")


def test_readers_see_the_image_and_a_held_posts_image_stops_loading(
    live_server, browser, make_member, media_through_parley
):
    author = make_member("painter")
    reporter = make_member("reader")
    make_member("mod", role=Role.MODERATOR)
    upload = SimpleUploadedFile("cat.png", real_image("PNG", (33, 21)))
    media = posts.attach_media(author, upload)
    post = posts.create_post(author, "my painting", media_ids=[media.pk])
    url = f"{live_server.url}/@painter/{post.pk}"

    reader = log_in(browser, live_server.url, "reader")
    reader.goto(url)
    expect(reader.locator("img.media")).to_have_count(1)
    reader.wait_for_load_state("load")
    assert loaded_width(reader) == 33

    posts.transition_post(post, PostState.HELD)
    image = reader.request.get(f"{live_server.url}{media.file.url}")
    assert image.status == 404
    reader.reload()
    reader.wait_for_load_state("load")
    assert "my painting" not in reader.content()

    moderator = log_in(browser, live_server.url, "mod")
    unconcerned = moderator.request.get(f"{live_server.url}{media.file.url}")
    assert unconcerned.status == 404  # no case concerns the post yet
    file_member_report(reporter, author, [post], "violation", comment="look at this")
    seen = moderator.request.get(f"{live_server.url}{media.file.url}")
    assert seen.status == 200 and seen.headers["content-type"] == "image/png"
