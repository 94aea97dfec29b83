"""The public transparency report in a real browser: pick a period, see the charts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from parley.safety.cases import services as cases
from tests.web.test_browser_member_ui import open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=30_000)


def test_choose_a_period_and_see_the_chart(live_server, browser, member, other_member,
                                           moderator, publish):
    post = publish(member, "Buy cheap pills at my shop")
    case = cases.file_member_report(other_member, member, [post], "spam").case
    cases.take_action(case, moderator, "remove")
    today = timezone.localdate()
    page = open_page(browser)

    page.goto(f"{live_server.url}/transparency")
    page.get_by_role("link", name="Last 7 days").click()
    expect(page.get_by_label("From")).to_have_value((today - timedelta(days=6)).isoformat())
    chart = page.locator("svg#tr-chart-daily")
    expect(chart).to_be_visible()
    expect(chart.locator("text").filter(has_text="Actions (1)")).to_have_count(1)

    # A period before anything happened: the chart is still drawn, with nothing in it.
    page.get_by_label("From").fill((today - timedelta(days=40)).isoformat())
    page.get_by_label("To (included)").fill((today - timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(chart.locator("text").filter(has_text="Actions (0)")).to_have_count(1)
    expect(page.locator("svg#tr-chart-exposure")).to_be_visible()
    expect(page.get_by_role("img", name="Removed or held posts by views before action")
           ).to_be_visible()
    assert page.csp_errors == []
