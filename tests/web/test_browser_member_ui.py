"""The member web UI in a real browser (Debian's chromium via Playwright): every flow is
clicked through, at desktop and phone sizes where the layout is the point."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from parley.posts import services as post_services
from parley.posts.models import Post, PostState
from parley.safety.cases.models import InstanceRule, Notice
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=30_000)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def open_page(browser, size=DESKTOP):
    page = browser.new_context(viewport=size).new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    return page


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()


def test_report_a_post_from_its_report_link(live_server, browser, member, other_member):
    InstanceRule.objects.create(text="No spam or scams", position=1)
    InstanceRule.objects.create(text="Be kind", position=2)
    post = post_services.create_post(other_member, "Cheap watches, click my profile")
    page = open_page(browser)
    log_in(page, live_server.url, "alice")

    page.goto(f"{live_server.url}/@bob")
    page.get_by_role("article").filter(has_text="Cheap watches").get_by_role(
        "link", name="Report"
    ).click()
    expect(page.get_by_role("heading", name="Report @bob")).to_be_visible()
    page.get_by_role("button", name="Send report").click()  # nothing chosen yet
    expect(page.get_by_role("alert")).to_contain_text("Choose what is wrong with it.")

    page.get_by_label("It is spam").check()
    page.get_by_label("No spam or scams").check()
    page.get_by_label("Anything else we should know?").fill("Posted ten times today")
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("heading", name="Thanks, your report was sent")).to_be_visible()
    notice = Notice.objects.get(reporter=member)
    assert notice.case.post_id == post.pk and notice.reported_category == "spam"
    assert notice.rule_ids == [InstanceRule.objects.get(position=1).pk]
    assert page.csp_errors == []


def test_reply_to_a_direct_message_stays_direct(live_server, browser, member, other_member):
    dm = post_services.create_post(
        member, "@bob the surprise party is on Friday", visibility="direct"
    )
    page = open_page(browser)
    log_in(page, live_server.url, "bob")
    page.goto(f"{live_server.url}/notifications")
    page.get_by_role("link", name="see post").click()

    focus = page.get_by_role("article").filter(has_text="surprise party")
    expect(focus.get_by_text("Direct", exact=True)).to_be_visible()
    expect(page.get_by_label("Who can see it")).to_have_value("direct")
    page.get_by_label("Your reply").press_sequentially("I'll bring a cake")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Posted.")).to_be_visible()

    reply = Post.objects.get(in_reply_to=dm)
    assert reply.visibility == "direct"
    page.goto(f"{live_server.url}/public")
    expect(page.get_by_role("heading", name="Public timeline")).to_be_visible()
    expect(page.get_by_text("bring a cake")).to_have_count(0)


def test_compose_counts_live_and_keeps_the_text_on_error(live_server, browser, member, settings):
    settings.PARLEY_MAX_POST_CHARS = 40
    page = open_page(browser)
    log_in(page, live_server.url, "alice")
    box = page.get_by_label("What's on your mind?")
    counter = page.locator("#id_text_counter")
    expect(counter).to_have_text("40 characters left")

    box.press_sequentially("See https://example.org/a/very/long/path/indeed")
    expect(counter).to_have_text("13 characters left")  # 4 + a link counted as 23
    box.press_sequentially(" and some more words here")
    expect(counter).to_have_text("12 characters too many")
    page.get_by_role("button", name="Post").click()

    expect(page.get_by_text("Your post is too long: at most 40 characters")).to_be_visible()
    expect(page.get_by_text("Validation failed")).to_have_count(0)
    expect(box).to_have_value(
        "See https://example.org/a/very/long/path/indeed and some more words here"
    )
    assert not Post.objects.exists()
    assert page.csp_errors == []


def test_sign_up_confirm_change_and_reset_password(live_server, browser, mailoutbox):
    base = live_server.url
    page = open_page(browser, PHONE)
    page.goto(f"{base}/signup")
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Email").fill("carol@example.org")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("This password is too common.")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(f"{base}/login")
    page.get_by_label("Username or email").fill("carol")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("confirm your email address")

    page.goto(re.search(r"http://\S+/confirm/\S+", mail.outbox[-1].body).group(0))
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    log_in(page, base, "carol")

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Password").click()
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("tea and biscuits at four")
    page.get_by_label("New password confirmation").fill("tea and biscuits at four")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password was changed.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("carol@example.org")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(re.search(r"http://\S+/password/reset/\S+", mail.outbox[-1].body).group(0))
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("New password confirmation").fill("a brand new passphrase")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    page.get_by_role("link", name="Log in").last.click()
    log_in(page, base, "carol", "a brand new passphrase")
    assert page.csp_errors == []


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_top_bar_and_settings_layout(live_server, browser, member, size):
    page = open_page(browser, size)
    log_in(page, live_server.url, "alice")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    middles = [
        box["y"] + box["height"] / 2
        for box in (links.nth(i).bounding_box() for i in range(links.count()))
        if box
    ]
    assert max(middles) - min(middles) < 8, "the top bar wraps onto several lines"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Settings").click()
    file_box = page.get_by_label("Avatar").bounding_box()
    save_box = page.get_by_role("button", name="Save").bounding_box()
    assert save_box["y"] >= file_box["y"] + file_box["height"], "Save sits beside the file input"


def test_held_post_and_error_pages(live_server, browser, member):
    post = post_services.create_post(member, "Waiting for a moderator")
    Post.objects.filter(pk=post.pk).update(state=PostState.HELD)
    page = open_page(browser, PHONE)
    log_in(page, live_server.url, "alice")
    page.get_by_role("link", name="Profile").click()
    held = page.get_by_role("article").filter(has_text="Waiting for a moderator")
    expect(held.get_by_text("Pending review")).to_be_visible()
    expect(held.get_by_role("button", name=re.compile("Like"))).to_have_count(0)
    expect(held.get_by_role("link", name=re.compile("Reply"))).to_have_count(0)

    response = page.goto(f"{live_server.url}/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Parley", exact=True)).to_be_visible()


def test_main_pages_have_no_csp_violations(live_server, browser, member, other_member, moderator):
    from parley.safety.cases.services import file_member_report

    post = post_services.create_post(other_member, "Hello #world https://example.org")
    case = file_member_report(member, other_member, [post], "spam").case
    base = live_server.url
    page = open_page(browser)
    for path in [
        "/",
        "/public",
        "/login",
        "/signup",
        "/password/reset",
        "/tags/world",
        "/transparency",
        "/notice",
        "/@bob",
        "/search?q=hello",
        "/no/such/page",
    ]:
        page.goto(base + path)
    log_in(page, base, "alice")
    for path in [
        "/",
        "/notifications",
        "/settings/profile",
        "/settings/password",
        "/@bob",
        f"/@bob/{post.pk}",
        "/@bob/report",
        "/statements",
        "/public",
    ]:
        page.goto(base + path)
    page.get_by_role("article").first.get_by_role("button", name=re.compile("Like")).click()
    expect(page.get_by_role("button", name=re.compile("Liked"))).to_be_visible()

    mod_page = open_page(browser)
    log_in(mod_page, base, "mod")
    for path in ["/moderation/", f"/moderation/cases/{case.pk}", "/moderation/appeals"]:
        mod_page.goto(base + path)
    mod_page.goto(base + "/moderation/")
    mod_page.get_by_label("Select all cases").check()
    expect(mod_page.get_by_label(f"Select case {case.pk}")).to_be_checked()
    assert page.csp_errors == [] and mod_page.csp_errors == []
