"""Following hashtags, trends and announcements in a real browser (chromium via
Playwright), clicked through."""

import pytest
from playwright.sync_api import expect

from parley.discovery import announcements
from parley.posts import services as post_services
from parley.social import selectors as social_selectors
from tests.web.test_browser_member_ui import PHONE, log_in, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=30_000)


def test_follow_a_hashtag_from_its_page_and_unfollow_it_in_settings(
    live_server, browser, member, other_member
):
    post_services.create_post(other_member, "Sourdough starter, day three #baking")
    page = open_page(browser)
    log_in(page, live_server.url, "alice")
    expect(page.get_by_role("article").filter(has_text="Sourdough")).to_have_count(0)

    page.goto(f"{live_server.url}/tags/baking")
    page.get_by_role("button", name="Follow #baking").click()
    expect(page.get_by_role("status")).to_contain_text("You follow #baking")
    expect(page.get_by_role("button", name="Unfollow #baking")).to_be_visible()
    page.get_by_role("link", name="Home").click()
    # The followed tag's public posts come home.
    post_services.create_post(other_member, "Rye loaf out of the oven #Baking")
    page.reload()
    expect(page.get_by_role("article").filter(has_text="Rye loaf")).to_have_count(1)

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role(
        "link", name="Followed hashtags").click()
    followed = page.get_by_role("list", name="Followed hashtags")
    expect(followed.get_by_role("link", name="#baking")).to_be_visible()
    followed.get_by_role("button", name="Unfollow #baking").click()
    expect(page.get_by_role("status")).to_contain_text("You no longer follow #baking")
    expect(page.get_by_text("You follow no hashtags yet.")).to_be_visible()
    assert list(social_selectors.followed_tags(member)) == []
    assert page.csp_errors == []


def test_explore_shows_trending_hashtags_and_posts(live_server, browser, member,
                                                   other_member, make_member):
    carol = make_member("carol")
    liked = post_services.create_post(other_member, "Kites over the bay today #kites")
    post_services.create_post(carol, "Mine is the red one #kites")
    post_services.create_post(carol, "Nobody liked this one")
    post_services.favourite(member, liked)
    page = open_page(browser, PHONE)
    page.goto(live_server.url + "/public")
    page.get_by_role("link", name="Explore").click()  # visitors may explore too
    tags = page.get_by_role("region", name="Trending hashtags")
    expect(tags.get_by_role("link", name="#kites")).to_be_visible()
    expect(tags).to_contain_text("2 posts this week")
    trending = page.get_by_role("region", name="Trending posts")
    expect(trending.get_by_role("article")).to_have_count(1)
    expect(trending).to_contain_text("Kites over the bay")
    tags.get_by_role("link", name="#kites").click()
    expect(page.get_by_role("heading", name="#kites")).to_be_visible()
    expect(page.get_by_role("article")).to_have_count(2)
    assert page.csp_errors == []


def test_an_announcement_shows_on_home_until_dismissed(live_server, browser, member,
                                                       moderator):
    announcements.add_announcement("Maintenance on Sunday at 09:00 UTC", author=moderator)
    page = open_page(browser)
    log_in(page, live_server.url, "alice")
    shown = page.get_by_role("region", name="Announcements")
    expect(shown).to_contain_text("Maintenance on Sunday")
    shown.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("status")).to_contain_text("Announcement dismissed.")
    expect(page.get_by_role("region", name="Announcements")).to_have_count(0)
    page.reload()
    expect(page.get_by_text("Maintenance on Sunday")).to_have_count(0)
    assert page.csp_errors == []


def test_feature_a_hashtag_and_a_followed_account_on_your_profile(
    live_server, browser, member, other_member
):
    from parley.accounts import services as account_services

    account_services.follow(member, other_member)
    page = open_page(browser)
    log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/tags/gardening")
    page.get_by_role("button", name="Feature on my profile").click()
    expect(page.get_by_role("status")).to_contain_text("#gardening is featured")

    page.goto(f"{live_server.url}/@bob")
    page.get_by_role("button", name="Feature on my profile").click()
    expect(page.get_by_role("status")).to_contain_text("@bob is featured on your profile")
    expect(page.get_by_role("button", name="Stop featuring on my profile")).to_be_visible()

    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("navigation", name="Featured hashtags").get_by_role(
        "link", name="#gardening")).to_be_visible()
    featured = page.get_by_role("region", name="Featured accounts")
    featured.get_by_role("link", name="@bob").click()
    expect(page.get_by_role("heading", name="@bob")).to_be_visible()
    page.get_by_role("button", name="Stop featuring on my profile").click()
    page.goto(f"{live_server.url}/tags/gardening")
    page.get_by_role("button", name="Remove from my profile").click()
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("region", name="Featured accounts")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Featured hashtags")).to_have_count(0)
    assert page.csp_errors == []
