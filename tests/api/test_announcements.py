"""Announcements: staff publish them (`parley announce`), members' apps list them until
they end, members dismiss them (``read``) and react with unicode emoji."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from parley.core.errors import NotAllowed, ValidationFailed
from parley.discovery import announcements
from parley.discovery.models import Announcement

pytestmark = pytest.mark.django_db


def _announce(text="Maintenance tonight", **options) -> Announcement:
    return announcements.add_announcement(text, **options)


def test_members_see_current_announcements_with_mastodons_fields(member, moderator, api_for):
    starts = timezone.now() + timedelta(days=1)
    made = _announce("Maintenance <b>tonight</b> #ops", author=moderator, starts_at=starts,
                     ends_at=starts + timedelta(hours=2))
    response = api_for(member, "read").get("/api/v1/announcements")
    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == str(made.pk)
    assert "&lt;b&gt;tonight&lt;/b&gt;" in item["content"] and item["content"].startswith("<p>")
    assert item["starts_at"].endswith("Z") and item["ends_at"].endswith("Z")
    assert item["all_day"] is False and item["published"] is True
    assert item["read"] is False and item["reactions"] == []
    for key in ("mentions", "statuses", "tags", "emojis"):
        assert item[key] == []
    assert item["published_at"].endswith("Z") and item["updated_at"].endswith("Z")


def test_ended_announcements_are_not_shown(member, api_for):
    _announce("over", ends_at=timezone.now() - timedelta(minutes=1))
    current = _announce("still on", ends_at=timezone.now() + timedelta(days=1))
    listed = api_for(member).get("/api/v1/announcements").json()
    assert [a["id"] for a in listed] == [str(current.pk)]


def test_dismissing_is_per_member(member, other_member, api_for):
    made = _announce()
    client = api_for(member)
    response = client.post(f"/api/v1/announcements/{made.pk}/dismiss")
    assert response.status_code == 200 and response.json() == {}
    assert client.post(f"/api/v1/announcements/{made.pk}/dismiss").status_code == 200
    assert client.get("/api/v1/announcements").json() == []
    [again] = client.get("/api/v1/announcements", {"with_dismissed": "true"}).json()
    assert again["read"] is True
    [theirs] = api_for(other_member).get("/api/v1/announcements").json()
    assert theirs["read"] is False
    assert client.post("/api/v1/announcements/999999/dismiss").status_code == 404


def test_reactions_with_unicode_emoji(member, other_member, api_for):
    made = _announce()
    alice, bob = api_for(member), api_for(other_member)
    base = f"/api/v1/announcements/{made.pk}/reactions"
    assert alice.put(f"{base}/👍").status_code == 200
    assert alice.put(f"{base}/👍").status_code == 200  # twice is once
    assert bob.put(f"{base}/👍").status_code == 200
    assert bob.put(f"{base}/👩🏽‍💻").status_code == 200
    [item] = alice.get("/api/v1/announcements").json()
    assert item["reactions"] == [
        {"name": "👍", "count": 2, "me": True},
        {"name": "👩🏽‍💻", "count": 1, "me": False},
    ]
    assert alice.delete(f"{base}/👍").status_code == 200
    [item] = bob.get("/api/v1/announcements").json()
    assert item["reactions"][0] == {"name": "👍", "count": 1, "me": True}
    for bad in ("blobcat", ":blobcat:", "a👍", "12"):
        response = alice.put(f"{base}/{bad}")
        assert response.status_code == 422, bad
        assert "emoji" in response.json()["error"]
    assert alice.put("/api/v1/announcements/999999/reactions/👍").status_code == 404


def test_who_may_call(member, api_for, oauth_app):
    made = _announce()
    assert APIClient().get("/api/v1/announcements").status_code == 401
    assert api_for(member, "profile").get("/api/v1/announcements").status_code == 200
    assert api_for(member, "read").post(
        f"/api/v1/announcements/{made.pk}/dismiss").status_code == 403
    assert api_for(member, "write:accounts").post(
        f"/api/v1/announcements/{made.pk}/dismiss").status_code == 200
    assert api_for(member, "write:accounts").put(
        f"/api/v1/announcements/{made.pk}/reactions/👍").status_code == 403
    assert api_for(member, "write:favourites").put(
        f"/api/v1/announcements/{made.pk}/reactions/👍").status_code == 200


def test_only_staff_author_announcements_and_bad_ones_are_refused(member, moderator):
    with pytest.raises(NotAllowed):
        _announce("hi", author=member)
    with pytest.raises(ValidationFailed):
        _announce("   ", author=moderator)
    now = timezone.now()
    with pytest.raises(ValidationFailed):
        _announce("x", starts_at=now, ends_at=now - timedelta(hours=1))
    assert not Announcement.objects.exists()


def test_the_announce_command(moderator, member, api_for):
    out = StringIO()
    call_command("announce", "add", "Welcome to Parley", "--by", "mod",
                 "--ends-at", "2999-01-01T00:00", stdout=out)
    assert "published" in out.getvalue()
    [item] = api_for(member).get("/api/v1/announcements").json()
    assert item["content"] == "<p>Welcome to Parley</p>"
    assert item["ends_at"] == "2999-01-01T00:00:00.000Z"
    out = StringIO()
    call_command("announce", "list", stdout=out)
    assert "Welcome to Parley" in out.getvalue() and item["id"] in out.getvalue()
    with pytest.raises(CommandError, match="Only moderators"):
        call_command("announce", "add", "spam", "--by", member.username)
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("announce", "add", "x", "--ends-at", "tomorrow")
    call_command("announce", "remove", item["id"], stdout=StringIO())
    assert api_for(member).get("/api/v1/announcements").json() == []
    with pytest.raises(CommandError, match="not found"):
        call_command("announce", "remove", item["id"])
