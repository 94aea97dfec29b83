"""A member sets an avatar and a header image from the settings page, as a user does, and
both show on their profile."""

import pytest
from playwright.sync_api import expect

from tests.posts.imagefiles import real_image
from tests.web.test_browser_member_ui import PHONE, log_in, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def natural_width(page, selector: str) -> int:
    return page.locator(selector).evaluate("img => img.complete ? img.naturalWidth : 0")


def test_avatar_and_header_from_settings_show_on_the_profile(live_server, browser, member,
                                                             tmp_path):
    avatar, header = tmp_path / "me.png", tmp_path / "banner.png"
    avatar.write_bytes(real_image("PNG", (64, 64)))
    header.write_bytes(real_image("PNG", (600, 200)))
    page = open_page(browser, PHONE)
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/settings/profile")
    page.get_by_label("Avatar").set_input_files(str(avatar))
    page.get_by_label("Header image").set_input_files(str(header))
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("img", name="Header image of alice")).to_be_visible()
    page.wait_for_load_state("load")
    assert natural_width(page, "img.profile-header") == 600
    assert natural_width(page, "img.avatar.big") == 64
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.csp_errors == []
