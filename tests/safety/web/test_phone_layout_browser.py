"""On a phone (390 px wide, in chromium) the moderation queue, a case page, the rules page
and a statement of reasons fit the screen: no horizontal scrolling of the page (wide tables
scroll inside their own box)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parley.accounts.models import Role
from parley.posts import services as post_services
from parley.safety.cases import services
from parley.safety.cases.models import StatementOfReasons
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
LONG = ("Averyveryverylongwordwithoutanyspacesthatcouldpushthepagewiderthanthephonescreen "
        "and then an ordinary sentence about gardening, tomatoes and the weather.")


def phone_page(browser, base: str, username: str):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def page_overflow(page) -> int:
    """How many CSS pixels the page is wider than the phone's screen (0: it fits). Not
    innerWidth: a mobile browser zooms out to show a page that is too wide."""
    return page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]


@pytest.fixture
def world(make_member):
    writer = make_member("writer_with_a_long_username")
    reporter = make_member("reporter")
    moderator = make_member("mod", role=Role.MODERATOR)
    make_member("root", role=Role.ADMIN)
    for n in range(3):
        post = post_services.create_post(writer, f"{n} {LONG}")
        open_case = services.file_member_report(reporter, writer, [post], "violation",
                                                comment=f"{n} {LONG}").case
    case = services.file_member_report(
        make_member("third"), writer, [post_services.create_post(writer, LONG)], "spam").case
    services.add_rule(None, LONG, LONG)
    services.take_action(case, moderator, "remove", reason=LONG)
    return {"case": case, "open_case": open_case,
            "statement": StatementOfReasons.objects.get(action__case=case)}


def test_the_moderation_console_fits_a_phone(live_server, browser, world):
    page = phone_page(browser, live_server.url, "root")
    open_case = world["open_case"]
    overflows = {}
    for path in ("/moderation/", f"/moderation/cases/{world['case'].pk}",
                 f"/moderation/cases/{open_case.pk}", "/moderation/appeals",
                 "/moderation/rules"):
        page.goto(live_server.url + path)
        overflows[path] = page_overflow(page)
    assert all(by <= 0 for by in overflows.values()), overflows
    page.goto(live_server.url + "/moderation/")
    # The queue reflows: each case's deadline is on screen, not in a column off to the right.
    deadline = page.locator("td[data-label=Deadline]").first
    expect(deadline).to_contain_text("left")
    box = deadline.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]


def test_a_statement_of_reasons_fits_a_phone_and_quotes_the_post(live_server, browser, world):
    page = phone_page(browser, live_server.url, "writer_with_a_long_username")
    page.goto(f"{live_server.url}/statements")
    assert page_overflow(page) <= 0
    page.get_by_role("link", name="Remove post").click()
    expect(page.get_by_role("heading", name="Statement of reasons")).to_be_visible()
    expect(page.locator("blockquote.acted-on")).to_contain_text("ordinary sentence about")
    expect(page.get_by_text("Scams and fraud", exact=True)).to_be_visible()
    assert "STATEMENT_CATEGORY" not in page.locator("main").inner_text()
    assert page_overflow(page) <= 0
