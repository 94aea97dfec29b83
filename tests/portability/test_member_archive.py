"""A member downloads an archive of their own data in Mastodon's layout from settings."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parley.accounts import services as account_services
from parley.posts import services as post_services
from parley.safety.cases import actions
from parley.safety.cases import services as case_services
from tests.posts.imagefiles import real_image

pytestmark = pytest.mark.django_db

ARCHIVE = reverse("web:export_archive")


def download(client) -> zipfile.ZipFile:
    response = client.post(ARCHIVE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def notes(archive: zipfile.ZipFile) -> dict[str, dict]:
    outbox = json.loads(archive.read("outbox.json"))
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] == len(outbox["orderedItems"])
    return {item["object"]["content"]: item["object"] for item in outbox["orderedItems"]
            if item["type"] == "Create"}


def picture(name: str = "picture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, real_image("PNG", (40, 30)), "image/png")


def test_archive_holds_own_posts_media_and_profile(client, member, other_member, publish):
    account_services.update_profile(member, display_name="Alice A.", bio="I like tea",
                                    avatar=picture("me.png"))
    media = post_services.attach_media(member, picture(), "a red picture")
    with_picture = publish(member, "A picture", media_ids=[media.pk])
    hello = publish(member, "Hello world")
    gone = publish(member, "I regret this")
    post_services.delete_post(member, gone)
    theirs = publish(other_member, "Bob's own words")
    reply = publish(member, "@bob quite right", in_reply_to=theirs)
    private = publish(member, "Only for followers", visibility="private")
    post_services.favourite(member, theirs)
    post_services.bookmark(member, theirs)
    secret = publish(other_member, "Bob's followers only", visibility="private")
    account_services.follow(member, other_member)
    post_services.bookmark(member, secret)
    account_services.unfollow(member, other_member)  # no longer in its audience
    client.force_login(member)

    archive = download(client)

    by_content = notes(archive)
    texts = " ".join(by_content)
    assert "Hello world" in texts and "A picture" in texts and "quite right" in texts
    assert "I regret this" not in texts and "Bob's own words" not in texts
    note = next(n for c, n in by_content.items() if "Hello world" in c)
    assert note["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert note["id"].endswith(f"/@alice/{hello.pk}") and note["published"]
    assert note["parleyState"] == "published"
    replied = next(n for c, n in by_content.items() if "quite right" in c)
    assert replied["inReplyTo"].endswith(f"/@bob/{theirs.pk}")
    assert reply.pk and private.pk
    followers_only = next(n for c, n in by_content.items() if "Only for followers" in c)
    assert "https://www.w3.org/ns/activitystreams#Public" not in (
        followers_only["to"] + followers_only["cc"])
    attachment = next(n for c, n in by_content.items() if "A picture" in c)["attachment"][0]
    assert attachment["url"].startswith("media_attachments/files/")
    assert attachment["name"] == "a red picture" and with_picture.pk
    media.refresh_from_db()
    assert archive.read(attachment["url"]) == Path(media.file.path).read_bytes()

    actor = json.loads(archive.read("actor.json"))
    assert actor["type"] == "Person" and actor["preferredUsername"] == "alice"
    assert actor["name"] == "Alice A." and "I like tea" in actor["summary"]
    assert actor["icon"]["url"] == "avatar.png"
    member.refresh_from_db()
    assert archive.read("avatar.png") == Path(member.avatar.path).read_bytes()
    likes = json.loads(archive.read("likes.json"))
    assert likes["orderedItems"] == [f"http://testserver/@bob/{theirs.pk}"]
    bookmarks = json.loads(archive.read("bookmarks.json"))
    assert bookmarks["orderedItems"] == [f"http://testserver/@bob/{theirs.pk}"]


def test_archive_marks_removed_posts_and_holds_statements(client, member, make_member,
                                                          publish):
    reporter, mod = make_member("reporter"), make_member("mod", role="moderator")
    rude = publish(member, "You are all fools, every one of you")
    case = case_services.file_member_report(reporter, member, [rude], "violation").case
    actions.take_action(case, mod, "remove", reason="Insults")
    client.force_login(member)

    archive = download(client)

    removed = next(n for c, n in notes(archive).items() if "fools" in c)
    assert removed["parleyState"] == "removed"
    statements = json.loads(archive.read("statements.json"))
    assert len(statements) == 1
    assert statements[0]["measure"] == "remove"
    assert statements[0]["status_ids"] == [str(rude.pk)]
    assert statements[0]["puid"] and statements[0]["appeal_until"]


def test_archive_needs_login_and_holds_only_own_data(client, member, other_member, publish):
    publish(other_member, "Bob's secret diary", visibility="private")
    assert client.post(ARCHIVE).status_code == 302  # to the login page
    assert client.get(ARCHIVE).status_code in (302, 405)
    client.force_login(member)
    assert client.get(ARCHIVE).status_code == 405  # never a link a page could prefetch

    archive = download(client)

    assert notes(archive) == {}
    assert json.loads(archive.read("actor.json"))["preferredUsername"] == "alice"
    assert b"diary" not in b"".join(archive.read(n) for n in archive.namelist())


def test_archive_is_rate_limited(client, member, settings):
    settings.PARLEY_RATE_LIMITS = True
    client.force_login(member)
    assert client.post(ARCHIVE).status_code == 200
    assert client.post(ARCHIVE).status_code == 429
