"""In chromium: a moderator removes a reported post, its author appeals, another moderator
reverses the decision."""

import os

import pytest
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.posts import services as post_services
from parley.safety.cases.services import file_member_report
from tests.conftest import PASSWORD
from tests.safety.web.conftest import png

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def log_in(browser, base: str, username: str):
    page = browser.new_context().new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def image_filter(region) -> str:
    return region.locator(".mod-media img").evaluate("img => getComputedStyle(img).filter")


def test_remove_appeal_and_reverse_in_chromium(live_server, browser, make_member):
    base = live_server.url
    writer = make_member("writer")
    reporter = make_member("reporter")
    make_member("mod", role=Role.MODERATOR)
    make_member("mod2", role=Role.MODERATOR)
    media = post_services.attach_media(writer, png(), "a blue square")
    post = post_services.create_post(writer, "Cheap pills, click here", media_ids=[media.pk])
    case = file_member_report(reporter, writer, [post], "spam", comment="spam again").case

    moderator = log_in(browser, base, "mod")
    moderator.get_by_role("link", name="Moderation").click()
    expect(moderator.get_by_role("heading", name="Moderation queue")).to_be_visible()
    moderator.screenshot(path=os.environ.get("PARLEY_QUEUE_SCREENSHOT", "/tmp/parley-queue.png"))
    moderator.get_by_label("Select all cases").check()
    expect(moderator.get_by_label(f"Select case {case.pk}")).to_be_checked()
    moderator.get_by_label("Select all cases").uncheck()
    moderator.get_by_role("link", name=f"Case {case.pk}").click()
    expect(moderator.get_by_text("spam again")).to_be_visible()

    # Media is blurred and greyscale until the moderator reveals it.
    thread = moderator.get_by_role("region", name="The post in its thread")
    assert "blur" in image_filter(thread) and "grayscale" in image_filter(thread)
    thread.get_by_text("Reveal media (1)").click()
    assert image_filter(thread) == "none"

    moderator.get_by_role("button", name="Claim case").focus()
    moderator.keyboard.press("Enter")
    expect(moderator.get_by_text("You are working on this case")).to_be_visible()
    moderator.get_by_label("Reason (optional; included").fill("Advertising pills is spam.")
    moderator.get_by_role("button", name="Remove post").click()
    expect(moderator.get_by_text("Remove post: done.")).to_be_visible()
    expect(moderator.locator(".mod-post.focus .badge", has_text="removed")).to_be_visible()

    author = log_in(browser, base, "writer")
    author.get_by_role("link", name="Statements").click()
    author.get_by_role("link", name="Remove").first.click()
    expect(author.get_by_role("heading", name="Statement of reasons")).to_be_visible()
    expect(author.get_by_text("Advertising pills is spam.")).to_be_visible()
    author.get_by_label("Why should this decision be reversed?").fill("It was a joke.")
    author.get_by_role("button", name="Send appeal").click()
    expect(author.get_by_text("Your appeal was received")).to_be_visible()

    # The original moderator may not decide the appeal.
    moderator.goto(f"{base}/moderation/appeals")
    expect(moderator.get_by_text("You took the original decision")).to_be_visible()
    expect(moderator.get_by_role("button", name="Reverse the decision")).to_have_count(0)

    second = log_in(browser, base, "mod2")
    second.get_by_role("link", name="Moderation").click()
    second.get_by_role("navigation", name="Moderation").get_by_role("link",
                                                                   name="Appeals").click()
    expect(second.get_by_text("It was a joke.")).to_be_visible()
    second.get_by_label("Reasons for the decision").fill("A joke, not an advert.")
    second.get_by_role("button", name="Reverse the decision").click()
    expect(second.get_by_text("the decision was reversed")).to_be_visible()

    author.reload()
    expect(author.get_by_text("This decision was reversed")).to_be_visible()
    author.goto(f"{base}/@writer/{post.pk}")
    expect(author.get_by_text("Cheap pills, click here")).to_be_visible()
    second.set_viewport_size({"width": 1200, "height": 900})
    second.goto(f"{base}/moderation/cases/{case.pk}")
    second.screenshot(path=os.environ.get("PARLEY_CONSOLE_SCREENSHOT",
                                          "/tmp/parley-console.png"), full_page=True)
