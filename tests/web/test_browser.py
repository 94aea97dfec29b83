"""A real browser (Debian's chromium via Playwright) signs up, posts, follows and likes."""

import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The first post loads the screening models in the live server: give it time on a busy box.
expect.set_options(timeout=30_000)


def sign_up(page, base: str, username: str) -> None:
    page.goto(f"{base}/signup")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    confirmation = next(m for m in mail.outbox if m.to == [f"{username}@example.org"])
    page.goto(re.search(r"http://\S+/confirm/\S+", confirmation.body).group(0))
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()


def test_sign_up_post_follow_and_like_in_chromium(live_server, browser, mailoutbox):
    base = live_server.url
    writer = browser.new_context().new_page()
    reader = browser.new_context().new_page()

    sign_up(writer, base, "writer")
    sign_up(reader, base, "reader")

    reader.goto(f"{base}/@writer")
    reader.get_by_role("button", name="Follow").click()
    expect(reader.get_by_role("button", name="Unfollow")).to_be_visible()

    # Keyboard only: focus the compose box, type, and submit with the keyboard.
    writer.goto(f"{base}/")
    writer.get_by_label("What's on your mind?").focus()
    writer.keyboard.type("Hello from a real browser #firstpost")
    writer.get_by_role("button", name="Post").focus()
    writer.keyboard.press("Enter")
    expect(writer.get_by_text("Posted.")).to_be_visible()

    reader.goto(f"{base}/")
    post = reader.get_by_role("article").filter(has_text="Hello from a real browser")
    expect(post).to_be_visible()
    post.get_by_role("button", name="Like (0)").click()  # htmx swaps the post in place
    expect(reader.get_by_role("button", name="Liked (1)")).to_be_visible()

    post.get_by_role("link", name="Reply (0)").click()
    reader.get_by_label("Your reply").fill("@writer nice one")
    reader.get_by_role("button", name="Post").click()
    expect(reader.get_by_text("nice one")).to_be_visible()

    writer.goto(f"{base}/notifications")
    expect(writer.get_by_text("followed you")).to_be_visible()
    expect(writer.get_by_text("liked")).to_be_visible()
    writer.goto(f"{base}/tags/firstpost")
    expect(writer.get_by_text("Hello from a real browser")).to_be_visible()
    writer.set_viewport_size({"width": 1000, "height": 800})
    writer.goto(f"{base}/")
    writer.screenshot(path=os.environ.get("PARLEY_SCREENSHOT", "/tmp/parley-home.png"))
