"""A member exports follows, blocks and mutes as Mastodon's CSV files and imports them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.accounts import services as account_services
from parley.accounts.models import Block, Follow, Mute
from parley.portability import member_csv

pytestmark = pytest.mark.django_db

DATA = reverse("web:settings_data")


def export(client, filename: str) -> str:
    response = client.get(reverse("web:export_list", args=[filename]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    return response.content.decode()


def upload(client, kind: str, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(DATA, {"kind": kind, "file": SimpleUploadedFile(
        "list.csv", data, "text/csv")})


@pytest.fixture
def others(make_member):
    return [make_member(name) for name in ("bob", "carol", "dave")]


def test_exports_are_in_mastodons_csv_formats(client, member, others):
    bob, carol, dave = others
    account_services.follow(member, bob)
    account_services.follow(member, carol)
    account_services.block(member, dave)
    account_services.mute(member, carol, hide_notifications=False)
    account_services.mute(member, bob)
    client.force_login(member)

    assert export(client, "following_accounts.csv") == (
        "Account address,Show boosts,Notify on new posts,Languages\n"
        "bob@testserver,true,false,\n"
        "carol@testserver,true,false,\n"
    )
    assert export(client, "blocked_accounts.csv") == "dave@testserver\n"
    assert export(client, "muted_accounts.csv") == (
        "Account address,Hide notifications\n"
        "bob@testserver,true\n"
        "carol@testserver,false\n"
    )


def test_exports_need_login(client, member):
    response = client.get(reverse("web:export_list", args=["following_accounts.csv"]))
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(member)
    assert client.get(reverse("web:export_list", args=["passwords.csv"])).status_code == 404


def test_import_follows_through_the_services(client, member, others, make_member):
    bob, carol, dave = others
    account_services.follow(member, bob)
    mallory = make_member("mallory")
    account_services.block(mallory, member)
    client.force_login(member)

    response = upload(client, "following", (
        "Account address,Show boosts,Notify on new posts,Languages\n"
        "bob@testserver,true,false,\n"
        "carol@testserver,true,false,\n"
        "@dave,true,false,\n"
        "nobody@testserver,true,false,\n"
        "someone@mastodon.social,true,false,\n"
        "mallory@testserver,true,false,\n"
        "alice@testserver,true,false,\n"
    ))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Added 2, already there 1, skipped 4." in page
    assert "nobody@testserver: unknown account" in page
    assert "someone@mastodon.social: on another server" in page
    assert "mallory@testserver: This account has blocked you" in page
    followed = set(Follow.objects.filter(follower=member).values_list(
        "followee__username", flat=True))
    assert followed == {"bob", "carol", "dave"}
    assert carol.notifications.filter(kind="follow").exists()  # the service notified her


def test_import_blocks_without_header_and_mutes(client, member, others):
    bob, carol, dave = others
    account_services.follow(member, bob)
    client.force_login(member)

    upload(client, "blocks", "bob@testserver\r\ncarol@testserver\r\n")
    upload(client, "mutes", "dave@testserver,false\n")

    assert set(Block.objects.filter(blocker=member).values_list(
        "blocked__username", flat=True)) == {"bob", "carol"}
    assert not Follow.objects.filter(follower=member, followee=bob).exists()  # block's rule
    mute = Mute.objects.get(muter=member)
    assert mute.muted == dave and mute.hide_notifications is False


@pytest.mark.parametrize("text", [
    "bob@testserver\nthis is not an address\n",
    b"bob@testserver\n\xff\xfe\x00garbage",
    "Account address,Hide notifications\nbob@testserver,maybe\n",
])
def test_a_malformed_file_changes_nothing(client, member, others, text):
    client.force_login(member)
    kind = "mutes" if "Hide" in str(text) else "blocks"

    response = upload(client, kind, text)

    assert response.status_code == 400
    assert "Nothing was changed." in response.content.decode()
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_import_is_bounded(client, member, monkeypatch):
    monkeypatch.setattr(member_csv, "MAX_IMPORT_ROWS", 2)
    client.force_login(member)
    response = upload(client, "blocks", "a@x\nb@x\nc@x\n")
    assert response.status_code == 400
    assert "more than 2 accounts" in response.content.decode()
    monkeypatch.setattr(member_csv, "MAX_IMPORT_BYTES", 8)
    response = upload(client, "blocks", "a@x\nb@x\nc@x\n")
    assert response.status_code == 400 and "too large" in response.content.decode()
    assert not Block.objects.exists()


def test_import_needs_login(client):
    response = upload(client, "blocks", "bob@testserver\n")
    assert response.status_code == 302 and "/login" in response["Location"]


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_parser_reads_or_refuses_any_bytes(data):
    try:
        rows = member_csv.parse_import(data, "mutes")
    except member_csv.MalformedImport:
        return
    assert all(member_csv.ADDRESS_RE.match(row.address) for row in rows)


def test_lists_and_bookmarks_export_in_mastodons_formats(client, member, others, publish):
    from parley.posts import services as post_services
    from parley.timelines import services as timeline_services

    bob, carol, _ = others
    account_services.follow(member, bob)
    account_services.follow(member, carol)
    friends = timeline_services.create_list(member, "Friends")
    timeline_services.add_to_list(friends, [bob.pk, carol.pk])
    news = publish(bob, "Some news")
    secret = publish(carol, "Followers only", visibility="private")
    post_services.bookmark(member, news)
    post_services.bookmark(member, secret)
    account_services.unfollow(member, carol)  # no longer in that post's audience
    client.force_login(member)

    assert export(client, "lists.csv") == "Friends,bob@testserver\n"
    assert export(client, "bookmarks.csv") == f"http://testserver/@bob/{news.pk}\n"


def test_import_lists_and_bookmarks_through_the_services(client, member, others, publish):
    from parley.posts.models import Bookmark
    from parley.timelines.models import List

    bob, carol, dave = others
    account_services.follow(member, bob)
    news = publish(bob, "Some news")
    hidden = publish(dave, "For dave's followers", visibility="private")
    client.force_login(member)

    lists = upload(client, "lists", "Friends,bob@testserver\nFriends,carol@testserver\n"
                                    "Work,bob@testserver\n")
    assert lists.status_code == 200
    page = lists.content.decode()
    assert "Added 2" in page and "carol@testserver" in page  # carol is not followed
    assert {(a.title, m.account.username) for a in List.objects.filter(owner=member)
            for m in a.members.all()} == {("Friends", "bob"), ("Work", "bob")}

    marks = upload(client, "bookmarks", f"http://testserver/@bob/{news.pk}\n"
                                        f"http://testserver/@dave/{hidden.pk}\n"
                                        "https://elsewhere.example/@eve/12\n")
    page = marks.content.decode()
    assert "Added 1" in page and "no such post you may see" in page and "another server" in page
    assert list(Bookmark.objects.filter(user=member).values_list("post_id", flat=True)) == [
        news.pk]


@pytest.mark.parametrize("kind,text", [("lists", "just-a-title\n"),
                                       ("bookmarks", "not a url\n")])
def test_malformed_lists_and_bookmarks_change_nothing(client, member, others, kind, text):
    from parley.timelines.models import List

    account_services.follow(member, others[0])
    client.force_login(member)
    response = upload(client, kind, f"Friends,bob@testserver\n{text}" if kind == "lists"
                      else f"http://testserver/@bob/1\n{text}")
    assert response.status_code == 400 and "Line 2" in response.content.decode()
    assert not List.objects.exists()
