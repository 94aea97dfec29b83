"""Mastodon.py follows and features hashtags, endorses accounts, keeps notes, mutes for a
while, and finds people (familiar followers, suggestions, directory) against a live server."""

import pytest
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_hashtags_through_mastodon_py(live_server, make_member):
    make_member("alice"), make_member("bob")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")
    bread = bob.status_post("Rye loaf today #baking")

    followed = alice.tag_follow("baking")
    assert followed.name == "baking" and followed.following is True
    assert [t.name for t in alice.followed_tags()] == ["baking"]
    assert bread.id in [s.id for s in alice.timeline_home()]
    tag = alice.tag("baking")
    assert tag.following is True and tag.history[0].uses == "1"
    assert alice.tag_unfollow("baking").following is False
    assert bread.id not in [s.id for s in alice.timeline_home()]

    bob.status_post("Another #baking post")
    assert [t.name for t in bob.featured_tag_suggestions()] == ["baking"]
    featured = bob.featured_tag_create("baking")
    # Mastodon.py reads the count as text whatever the JSON type (the docs: an integer).
    assert featured.name == "baking" and int(featured.statuses_count) == 2
    with pytest.raises(MastodonAPIError, match="already featured"):
        bob.featured_tag_create("baking")
    bob_id = bob.account_verify_credentials().id
    assert [t.name for t in alice.account_featured_tags(bob_id)] == ["baking"]
    with pytest.raises(MastodonNotFoundError):
        alice.featured_tag_delete(featured.id)
    bob.featured_tag_delete(featured.id)
    assert bob.featured_tags() == []


def test_endorsements_notes_and_timed_mutes_through_mastodon_py(live_server, make_member):
    make_member("carol"), make_member("dave")
    carol = client_for(live_server, "carol@example.org")
    dave = client_for(live_server, "dave@example.org")
    dave_id = dave.account_verify_credentials().id

    with pytest.raises(MastodonAPIError, match="follow"):
        carol.account_pin(dave_id)
    carol.account_follow(dave_id)
    assert carol.account_pin(dave_id).endorsed is True
    assert [a.id for a in carol.endorsements()] == [dave_id]
    assert carol.account_unpin(dave_id).endorsed is False

    assert carol.account_note_set(dave_id, "plays the cello").note == "plays the cello"
    assert carol.account_relationships(dave_id)[0].note == "plays the cello"

    muted = carol.account_mute(dave_id, notifications=False, duration=600)
    assert muted.muting is True and muted.muting_notifications is False
    listed = carol.mutes()
    assert [a.id for a in listed] == [dave_id]
    assert listed[0].mute_expires_at is not None
    carol.account_unmute(dave_id)
    assert carol.mutes() == []
    assert carol.domain_blocks() == []


def test_finding_people_through_mastodon_py(live_server, make_member):
    for name in ("erin", "frank", "grace"):
        make_member(name)
    erin = client_for(live_server, "erin@example.org")
    frank = client_for(live_server, "frank@example.org")
    grace = client_for(live_server, "grace@example.org")
    frank_id = frank.account_verify_credentials().id
    grace_id = grace.account_verify_credentials().id
    grace.account_update_credentials(discoverable=True)
    erin.account_follow(frank_id)
    frank.account_follow(grace_id)

    familiar = erin.account_familiar_followers(grace_id)
    assert [a.id for a in familiar[0].accounts] == [frank_id]
    assert [a.id for a in erin.suggestions()] == [grace_id]
    suggested = erin.suggestions_v2()
    assert [s.account.id for s in suggested] == [grace_id]
    assert suggested[0].sources == ["friends_of_friends"]
    assert [a.id for a in erin.suggestions_v1()] == [grace_id]
    erin.suggestion_delete(grace_id)
    assert erin.suggestions() == []
    assert [a.id for a in erin.directory(order="new")] == [grace_id]
