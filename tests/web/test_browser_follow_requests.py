"""Locked accounts in a real browser: lock in settings, request from the profile, approve."""

import pytest
from playwright.sync_api import expect

from parley.accounts.models import Follow, FollowRequest
from tests.web.test_browser_member_ui import log_in, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect.set_options(timeout=30_000)


def test_lock_request_and_approve(live_server, browser, member, other_member, make_member):
    carol = make_member("carol")
    alice_page = open_page(browser)
    log_in(alice_page, live_server.url, "alice")
    alice_page.goto(f"{live_server.url}/settings/profile")
    alice_page.get_by_label("Approve new followers (lock account)").check()
    alice_page.get_by_role("button", name="Save").click()
    expect(alice_page.get_by_text("Locked", exact=True)).to_be_visible()

    bob_page = open_page(browser)
    log_in(bob_page, live_server.url, "bob")
    bob_page.goto(f"{live_server.url}/@alice")
    bob_page.get_by_role("button", name="Request to follow").click()
    expect(bob_page.get_by_role("status")).to_contain_text("Follow request sent")
    expect(bob_page.get_by_role("button", name="Cancel follow request")).to_be_visible()
    FollowRequest.objects.create(requester=carol, target=member)

    alice_page.goto(f"{live_server.url}/notifications")
    alice_page.get_by_role("link", name="Review follow requests").click()
    pending = alice_page.get_by_role("list", name="Pending follow requests")
    expect(pending.get_by_role("listitem")).to_have_count(2)
    alice_page.get_by_role("button", name="Approve @bob").click()
    expect(alice_page.get_by_role("status")).to_contain_text("@bob now follows you")
    alice_page.get_by_role("button", name="Reject @carol").click()
    expect(alice_page.get_by_text("No pending follow requests.")).to_be_visible()

    assert Follow.objects.filter(follower=other_member, followee=member).exists()
    assert not Follow.objects.filter(follower=carol).exists()
    bob_page.reload()
    expect(bob_page.get_by_role("button", name="Unfollow")).to_be_visible()
    assert alice_page.csp_errors == [] and bob_page.csp_errors == []
