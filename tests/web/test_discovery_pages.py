"""Who may use the discovery pages, and what bad input answers (the clicks are in
test_browser_discovery.py)."""

import pytest
from django.test import Client

from parley.discovery import announcements
from parley.social import selectors as social_selectors

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_visitors_are_sent_to_log_in_and_see_no_follow_button(member):
    anonymous = Client()
    assert anonymous.post("/tags/baking/follow").status_code == 302
    assert anonymous.get("/followed_tags")["Location"].startswith("/login")
    assert "Follow #baking" not in anonymous.get("/tags/baking").content.decode()
    assert list(social_selectors.followed_tags(member)) == []


def test_following_is_a_post_and_a_bad_name_is_refused(member):
    client = logged_in(member)
    assert client.get("/tags/baking/follow").status_code == 405
    assert client.post("/tags/not a tag!/follow").status_code == 400
    assert client.post("/tags/Baking/follow").status_code == 302
    assert [f.tag.name for f in social_selectors.followed_tags(member)] == ["baking"]
    assert "Unfollow #baking" in client.get("/tags/baking").content.decode()
    assert "#baking" in client.get("/followed_tags").content.decode()


def test_only_a_current_announcement_can_be_dismissed(member, moderator):
    client = logged_in(member)
    assert client.post("/announcements/999999/dismiss").status_code == 404
    shown = announcements.add_announcement("Welcome, everyone", author=moderator)
    assert "Welcome, everyone" in client.get("/").content.decode()
    assert client.get(f"/announcements/{shown.pk}/dismiss").status_code == 405
    assert Client().post(f"/announcements/{shown.pk}/dismiss").status_code == 302
    assert client.post(f"/announcements/{shown.pk}/dismiss").status_code == 302
    assert "Welcome, everyone" not in client.get("/").content.decode()


def test_explore_is_open_and_empty_without_activity(member):
    page = Client().get("/explore").content.decode()
    assert "Nothing is trending right now." in page
    assert "No posts are trending right now." in page


def test_featuring_needs_a_member_a_post_and_a_follow(member, other_member):
    client = logged_in(member)
    assert Client().post("/tags/gardening/feature").status_code == 302
    assert client.get("/tags/gardening/feature").status_code == 405
    assert client.post("/tags/gardening/unfeature").status_code == 404
    assert client.post("/tags/not a tag!/feature").status_code == 400
    # Only an account you follow can be featured (the API's rule).
    assert client.post("/@bob/endorse").status_code == 400
    assert client.post("/@nobody/endorse").status_code == 404
    assert "Featured accounts" not in Client().get("/@alice").content.decode()
    assert client.post("/tags/gardening/feature").status_code == 302
    assert "#gardening" in Client().get("/@alice").content.decode()
