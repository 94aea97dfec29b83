"""Issue 14's member pages in a real browser (Debian's chromium via Playwright): messages,
bookmarks, lists, polls and the home timeline's live updates, clicked through."""

import pytest
from playwright.sync_api import expect

from parley.posts import services as post_services
from parley.posts.models import Post
from tests.web.test_browser_member_ui import PHONE, log_in, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=30_000)


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_read_and_answer_a_direct_message_on_a_phone(live_server, browser, member,
                                                      other_member):
    post_services.create_post(other_member, "@alice are you coming on Friday?",
                              visibility="direct")
    page = open_page(browser, PHONE)
    log_in(page, live_server.url, "alice")
    page.get_by_role("link", name="Messages").click()
    conversations = page.get_by_role("list", name="Conversations")
    expect(conversations.get_by_role("listitem")).to_have_count(1)
    expect(conversations).to_contain_text("Unread")
    assert fits_the_width(page)

    conversations.get_by_role("link").click()
    message = page.get_by_role("article").filter(has_text="coming on Friday")
    expect(message.get_by_text("Direct", exact=True)).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_value("@bob ")
    page.get_by_label("Your reply").fill("@bob yes, I'll bring cake")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_contain_text("Posted.")
    reply = page.get_by_role("article").filter(has_text="bring cake")
    expect(reply.get_by_text("Direct", exact=True)).to_be_visible()
    assert Post.objects.get(author=member).visibility == "direct"
    assert fits_the_width(page)

    page.get_by_role("link", name="← All messages").click()
    expect(page.get_by_role("list", name="Conversations")).not_to_contain_text("Unread")
    expect(page.get_by_role("list", name="Conversations")).to_contain_text("You: @bob yes")
    assert page.csp_errors == []


def test_bookmark_a_post_and_pin_your_own(live_server, browser, member, other_member):
    post_services.create_post(other_member, "How to fold a paper crane")
    post_services.create_post(member, "My favourite post, read it first")
    post_services.create_post(member, "Something newer")
    page = open_page(browser)
    log_in(page, live_server.url, "alice")
    page.get_by_role("link", name="Public").click()
    crane = page.get_by_role("article").filter(has_text="paper crane")
    crane.get_by_role("button", name="Bookmark").click()
    expect(crane.get_by_role("button", name="Bookmarked")).to_be_visible()
    page.get_by_role("link", name="Bookmarks").click()
    expect(page.get_by_role("heading", name="Bookmarks")).to_be_visible()
    kept = page.get_by_role("article").filter(has_text="paper crane")
    expect(kept).to_have_count(1)
    kept.get_by_role("button", name="Bookmarked").click()
    expect(kept.get_by_role("button", name="Bookmark", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_text("No bookmarks yet")).to_be_visible()

    page.get_by_role("link", name="Profile").click()
    page.get_by_role("article").filter(has_text="read it first").get_by_role(
        "button", name="Pin").click()
    expect(page.get_by_role("status")).to_contain_text("Pinned to your profile.")
    pinned = page.get_by_role("region", name="Pinned posts")
    expect(pinned.get_by_role("article")).to_have_count(1)
    expect(pinned).to_contain_text("read it first")
    pinned.get_by_role("button", name="Unpin").click()
    expect(page.get_by_role("region", name="Pinned posts")).to_have_count(0)
    assert page.csp_errors == []


def test_make_a_list_and_read_its_timeline_on_a_phone(live_server, browser, member,
                                                       other_member, make_member):
    from parley.accounts import services as account_services

    carol = make_member("carol")
    account_services.follow(member, other_member)
    account_services.follow(member, carol)
    post_services.create_post(other_member, "Tomatoes are finally red")
    post_services.create_post(carol, "Unrelated rant about trains")
    page = open_page(browser, PHONE)
    log_in(page, live_server.url, "alice")
    page.get_by_role("link", name="Lists").click()
    page.get_by_role("button", name="Create list").click()  # no name yet
    expect(page.get_by_role("alert")).to_contain_text("Title can't be blank.")
    page.get_by_label("New list's name").fill("Garden")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_role("heading", name="Garden")).to_be_visible()
    expect(page.get_by_text("No posts yet from the accounts on this list.")).to_be_visible()

    # Add from a profile, then from the list page.
    page.goto(f"{live_server.url}/@bob")
    page.get_by_text("Your lists", exact=True).click()
    page.get_by_role("button", name="Add to Garden").click()
    expect(page.get_by_role("status")).to_contain_text("@bob is on “Garden”.")
    page.get_by_text("Your lists", exact=True).click()
    expect(page.get_by_role("button", name="Remove from Garden")).to_be_visible()
    page.get_by_role("link", name="Lists").click()
    page.get_by_role("link", name="Garden").click()
    feed = page.get_by_role("region", name="Posts of Garden")
    expect(feed).to_contain_text("Tomatoes are finally red")
    expect(feed).not_to_contain_text("trains")
    assert fits_the_width(page)

    page.get_by_text("Members and settings").click()
    page.get_by_label("Add an account you follow").select_option("carol")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("region", name="Posts of Garden")).to_contain_text("trains")
    page.get_by_text("Members and settings").click()
    page.get_by_role("button", name="Remove @carol").click()
    expect(page.get_by_role("region", name="Posts of Garden")).not_to_contain_text("trains")

    page.get_by_text("Members and settings").click()
    page.get_by_label("Name").fill("Allotment")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", name="Allotment")).to_be_visible()
    page.get_by_text("Members and settings").click()
    page.get_by_role("button", name="Delete list").click()
    expect(page.get_by_role("status")).to_contain_text("List “Allotment” deleted.")
    expect(page.get_by_text("No lists yet.")).to_be_visible()
    assert page.csp_errors == []


def test_compose_a_poll_and_vote_on_it(live_server, browser, member, other_member):
    page = open_page(browser)
    log_in(page, live_server.url, "alice")
    page.get_by_label("What's on your mind?").fill("Where shall we meet?")
    page.get_by_text("Poll", exact=True).click()
    page.get_by_label("Option 1").fill("The park")
    page.get_by_role("button", name="Post").click()  # one option only
    expect(page.get_by_role("status")).to_contain_text("A poll has 2 to 4 options.")
    expect(page.get_by_label("Option 1")).to_have_value("The park")
    page.get_by_label("Option 2").fill("The café")
    page.get_by_label("Poll ends in").select_option(label="1 hour")
    page.get_by_label("Hide the counts until the poll ends").check()
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("status")).to_contain_text("Posted.")
    mine = page.get_by_role("article").filter(has_text="Where shall we meet?")
    expect(mine.get_by_role("group", name="Poll")).to_contain_text("Ends in")

    bob = open_page(browser, PHONE)
    log_in(bob, live_server.url, "bob")
    bob.get_by_role("link", name="Public").click()
    poll = bob.get_by_role("article").filter(has_text="Where shall we meet?").get_by_role(
        "group", name="Poll")
    poll.get_by_label("The café").check()
    poll.get_by_role("button", name="Vote").click()
    expect(bob.get_by_role("status")).to_contain_text("Your vote is in.")
    poll = bob.get_by_role("article").filter(has_text="Where shall we meet?").get_by_role(
        "group", name="Poll")
    expect(poll).to_contain_text("your choice")
    expect(poll).to_contain_text("Results show when the poll ends")
    expect(poll).not_to_contain_text("1 vote")
    assert fits_the_width(bob)

    page.reload()  # the author sees the counts
    mine = page.get_by_role("article").filter(has_text="Where shall we meet?")
    expect(mine.get_by_role("group", name="Poll")).to_contain_text("100% · 1 vote")
    assert page.csp_errors == [] and bob.csp_errors == []


def test_new_posts_appear_on_home_when_clicked(live_server, browser, member, other_member,
                                               settings):
    from parley.accounts import services as account_services

    settings.PARLEY_HOME_POLL_SECONDS = 1
    account_services.follow(member, other_member)
    post_services.create_post(other_member, "Morning, everyone")
    page = open_page(browser)
    log_in(page, live_server.url, "alice")
    feed = page.get_by_role("region", name="Home")
    expect(feed.get_by_role("article")).to_have_count(1)
    post_services.create_post(other_member, "Breaking: the bakery reopened")
    post_services.create_post(other_member, "And they have croissants")
    page.get_by_role("button", name="2 new posts").click()
    expect(feed.get_by_role("article")).to_have_count(3)
    expect(feed.get_by_role("article").first).to_contain_text("croissants")
    expect(page.get_by_role("button", name="2 new posts")).to_have_count(0)
    post_services.create_post(other_member, "One more thing")
    page.get_by_role("button", name="1 new post").click()
    expect(feed.get_by_role("article")).to_have_count(4)
    expect(feed.get_by_role("article").first).to_contain_text("One more thing")
    assert page.csp_errors == []


def test_filter_words_from_the_settings(live_server, browser, member, other_member):
    post_services.create_post(other_member, "Season finale tonight, no spoilers please")
    post_services.create_post(other_member, "Lovely weather")
    page = open_page(browser, PHONE)
    log_in(page, live_server.url, "alice")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Filters").click()
    page.get_by_label("Name").fill("TV")
    page.get_by_label("Words or phrases, one per line").fill("finale")
    page.get_by_label("Home timeline and lists").uncheck()
    page.get_by_role("button", name="Save filter").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose where the filter applies.")
    expect(page.get_by_label("Name")).to_have_value("TV")
    page.get_by_label("Public and tag timelines").check()
    page.get_by_role("button", name="Save filter").click()
    expect(page.get_by_role("status")).to_contain_text("Filter “TV” saved.")
    expect(page.get_by_role("list", name="Your filters")).to_contain_text("“finale”")
    assert fits_the_width(page)

    page.get_by_role("link", name="Public").click()
    folded = page.get_by_role("article").filter(has_text="Filtered: TV")
    expect(folded.get_by_text("no spoilers please")).not_to_be_visible()
    folded.get_by_text("Filtered: TV (show anyway)").click()
    expect(folded.get_by_text("no spoilers please")).to_be_visible()
    expect(page.get_by_role("article").filter(has_text="Lovely weather")).not_to_contain_text(
        "Filtered")

    page.goto(f"{live_server.url}/filters")
    page.get_by_role("button", name="Delete filter TV").click()
    expect(page.get_by_text("No filters yet.")).to_be_visible()
    assert page.csp_errors == []
