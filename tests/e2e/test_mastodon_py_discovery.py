"""Trends and announcements through Mastodon.py against a live server."""

import pytest

from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_trends_through_mastodon_py(live_server, make_member):
    make_member("alice"), make_member("bob")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")
    assert alice.trending_tags() == [] and alice.trending_statuses() == []

    first = alice.status_post("Spring is here #gardening")
    bob.status_post("Planting tomatoes #gardening")
    bob.status_favourite(first.id)

    [tag] = alice.trending_tags()
    assert tag.name == "gardening" and tag.history[0].accounts == "2"
    assert [s.id for s in bob.trending_statuses()] == [first.id]
    assert bob.trending_links() == []

    # A post its author deletes leaves the trends.
    alice.status_delete(first.id)
    assert bob.trending_statuses() == [] and alice.trending_tags() == []


def test_announcements_through_mastodon_py(live_server, make_member):
    from parley.discovery.announcements import add_announcement

    make_member("alice"), make_member("bob")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")
    made = add_announcement("Maintenance on Sunday")
    [item] = alice.announcements()
    assert item.id == str(made.pk) and item.content == "<p>Maintenance on Sunday</p>"
    assert item.read is False

    alice.announcement_reaction_create(item.id, "🎉")
    bob.announcement_reaction_create(item.id, "🎉")
    [item] = bob.announcements()
    assert [(r.name, r.count, r.me) for r in item.reactions] == [("🎉", 2, True)]
    bob.announcement_reaction_delete(item.id, "🎉")
    assert [(r.name, r.count, r.me) for r in bob.announcements()[0].reactions] == [
        ("🎉", 1, False)]

    alice.announcement_dismiss(item.id)
    assert alice.announcements() == []
    assert len(bob.announcements()) == 1
