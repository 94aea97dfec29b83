"""One contract test per Mastodon entity: each is fetched through the API as an app would
and checked against Mastodon 4.3's documented attributes and types (``entities.py``)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from parley.accounts import services as accounts
from parley.posts import services as posts
from tests.api.contracts import entities as E
from tests.api.contracts.checker import BOOL, INT, ListOf, assert_entities, assert_entity
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), (20, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("dot.png", buffer.getvalue(), "image/png")


def ok(response) -> dict | list:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response.json()


@pytest.fixture
def world(member, other_member, api_for, publish):
    """alice and bob follow each other; bob posts a tagged post with a picture, a poll and a
    reply mentioning alice; alice likes and answers; bob writes alice a direct message."""
    accounts.follow(member, other_member)
    accounts.follow(other_member, member)
    bob = api_for(other_member)
    media = ok(bob.post("/api/v2/media", {"file": _png(), "description": "a blue dot"},
                        format="multipart"))
    pictured = publish(other_member, "a #blue dot", media_ids=[media["id"]])
    from parley.posts import polls

    polled = publish(other_member, "tea or coffee?",
                     poll=polls.PollSpec(options=["tea", "coffee"], expires_in=3600,
                                         multiple=False, hide_totals=False))
    reply = publish(member, "@bob lovely", in_reply_to=pictured)
    posts.favourite(member, pictured)
    direct = publish(other_member, "@alice psst", visibility="direct")
    return {"pictured": pictured, "polled": polled, "reply": reply, "direct": direct,
            "media": media}


def test_account(world, member, other_member, api_for):
    account = ok(api_for(member).get(f"/api/v1/accounts/{other_member.pk}"))
    assert_entity(account, E.ACCOUNT, "Account")
    assert account["last_status_at"] is not None  # bob has posted: a date, not a datetime


def test_credential_account_and_its_role(member, moderator, api_for):
    for user in (member, moderator):
        me = ok(api_for(user).get("/api/v1/accounts/verify_credentials"))
        assert_entity(me, E.CREDENTIAL_ACCOUNT, "CredentialAccount")
    assert_entity(me["role"], E.ROLE, "Role")
    # Moderators show their (highlighted) role on their profile; members show none.
    assert me["role"]["highlighted"] is True
    assert [r["name"] for r in me["roles"]] == ["Moderator"]
    assert ok(api_for(member).get(f"/api/v1/accounts/{member.pk}"))["roles"] == []


def test_field_in_an_account(member, api_for):
    # Parley has no profile fields yet: the attribute is an (empty) array of Field.
    assert ok(api_for(member).get(f"/api/v1/accounts/{member.pk}"))["fields"] == []


def test_status(world, member, api_for):
    for post in ("pictured", "polled", "reply"):
        status = ok(api_for(member).get(f"/api/v1/statuses/{world[post].pk}"))
        assert_entity(status, E.STATUS_AS_SEEN_BY_A_MEMBER, f"Status ({post})")
    assert status["in_reply_to_id"] == str(world["pictured"].pk)
    assert_entity(status["mentions"], ListOf(E.STATUS_MENTION), "Status.mentions")


def test_status_anonymous_and_as_an_echo(world, member, other_member, api_for):
    echo = ok(api_for(member).post(f"/api/v1/statuses/{world['pictured'].pk}/reblog"))
    assert_entity(echo, E.STATUS_AS_SEEN_BY_A_MEMBER, "Status (echo)")
    assert echo["reblog"] is not None
    anonymous = ok(Client().get(f"/api/v1/statuses/{world['pictured'].pk}"))
    assert_entity(anonymous, E.STATUS, "Status (anonymous)")


def test_media_attachment(world, member, api_for):
    assert_entity(world["media"], E.MEDIA_ATTACHMENT, "MediaAttachment (upload)")
    again = ok(api_for(member).get(f"/api/v1/statuses/{world['pictured'].pk}"))
    assert_entities(again["media_attachments"], E.MEDIA_ATTACHMENT, "MediaAttachment")


def test_poll(world, member, api_for):
    poll_id = world["polled"].poll.pk
    assert_entity(ok(api_for(member).get(f"/api/v1/polls/{poll_id}")), E.POLL, "Poll")
    voted = ok(api_for(member).post(f"/api/v1/polls/{poll_id}/votes", {"choices[]": ["1"]}))
    assert_entity(voted, {**E.POLL, "voted": BOOL, "own_votes": ListOf(INT)}, "Poll")


def test_context(world, member, api_for):
    context = ok(api_for(member).get(f"/api/v1/statuses/{world['pictured'].pk}/context"))
    assert_entity(context, E.CONTEXT, "Context")
    assert len(context["descendants"]) == 1


def test_status_source_and_edit(world, member, api_for):
    client = api_for(member)
    reply = world["reply"].pk
    source = ok(client.get(f"/api/v1/statuses/{reply}/source"))
    assert_entity(source, E.STATUS_SOURCE, "StatusSource")
    ok(client.put(f"/api/v1/statuses/{reply}", {"status": "@bob lovely dot"}))
    history = ok(client.get(f"/api/v1/statuses/{reply}/history"))
    assert_entities(history, E.STATUS_EDIT, "StatusEdit", at_least=2)


def test_notification(world, other_member, api_for):
    notifications = ok(api_for(other_member).get("/api/v1/notifications"))
    assert_entities(notifications, E.NOTIFICATION, "Notification", at_least=3)
    assert {n["type"] for n in notifications} >= {"follow", "favourite", "mention"}
    one = ok(api_for(other_member).get(f"/api/v1/notifications/{notifications[0]['id']}"))
    assert_entity(one, E.NOTIFICATION, "Notification")


def test_grouped_notifications_results(world, other_member, api_for):
    body = ok(api_for(other_member).get("/api/v2/notifications"))
    assert_entity(body, E.GROUPED_NOTIFICATIONS_RESULTS, "GroupedNotificationsResults")
    assert_entities(body["notification_groups"], E.NOTIFICATION_GROUP, "NotificationGroup",
                    at_least=3)


def test_relationship(world, member, other_member, api_for):
    found = ok(api_for(member).get(f"/api/v1/accounts/relationships?id[]={other_member.pk}"))
    assert_entities(found, E.RELATIONSHIP, "Relationship")
    followed = ok(api_for(member).post(f"/api/v1/accounts/{other_member.pk}/follow"))
    assert_entity(followed, E.RELATIONSHIP, "Relationship (follow)")


def test_instance_v2_and_its_rules(admin_user, db):
    instance = ok(Client().get("/api/v2/instance"))
    assert_entity(instance, E.INSTANCE, "Instance")
    assert_entity(ok(Client().get("/api/v1/instance/rules")), ListOf(E.RULE), "Rule")


def test_instance_v1(admin_user, db):
    assert_entity(ok(Client().get("/api/v1/instance")), E.V1_INSTANCE, "V1::Instance")


def test_application_and_token(member):
    app = ok(Client().post("/api/v1/apps", {"client_name": "Contract", "scopes": "read write",
                                            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}))
    assert_entity(app, E.CREDENTIAL_APPLICATION, "CredentialApplication")
    token = ok(Client().post("/oauth/token", {
        "grant_type": "password", "username": member.username, "password": PASSWORD,
        "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": "read"}))
    assert_entity(token, E.TOKEN, "Token")
    verified = ok(Client().get("/api/v1/apps/verify_credentials",
                               HTTP_AUTHORIZATION=f"Bearer {token['access_token']}"))
    assert_entity(verified, E.APPLICATION, "Application")


def test_conversation(world, member, api_for):
    found = ok(api_for(member).get("/api/v1/conversations"))
    assert_entities(found, E.CONVERSATION, "Conversation")


def test_list(world, member, other_member, api_for):
    client = api_for(member)
    created = ok(client.post("/api/v1/lists", {"title": "friends"}))
    assert_entity(created, E.LIST, "List")
    assert_entities(ok(client.get("/api/v1/lists")), E.LIST, "List")


def test_marker(member, api_for):
    client = api_for(member)
    saved = ok(client.post("/api/v1/markers", {"home[last_read_id]": "12"}))
    assert_entity(saved["home"], E.MARKER, "Marker")
    read = ok(client.get("/api/v1/markers?timeline[]=home"))
    assert_entity(read["home"], E.MARKER, "Marker")


def test_preferences(member, api_for):
    assert_entity(ok(api_for(member).get("/api/v1/preferences")), E.PREFERENCES, "Preferences")


def test_filters_and_filter_result(world, member, api_for):
    client = api_for(member)
    created = ok(client.post("/api/v2/filters", {
        "title": "colours", "context[]": ["home", "thread"], "filter_action": "warn",
        "keywords_attributes[][keyword]": "blue"}, format="multipart"))
    assert_entity(created, E.FILTER, "Filter")
    assert_entities(created["keywords"], E.FILTER_KEYWORD, "FilterKeyword")
    pinned = ok(client.post(f"/api/v2/filters/{created['id']}/statuses",
                            {"status_id": str(world["polled"].pk)}))
    assert_entity(pinned, E.FILTER_STATUS, "FilterStatus")
    home = ok(client.get("/api/v1/timelines/home"))
    results = [r for s in home for r in s["filtered"]]
    assert_entities(results, E.FILTER_RESULT, "FilterResult", at_least=2)
    assert_entities(ok(client.get("/api/v1/filters")), E.V1_FILTER, "V1::Filter")


def test_tag_and_search(world, member, api_for):
    found = ok(api_for(member).get("/api/v2/search?q=blue"))
    assert_entity(found, E.SEARCH, "Search")
    assert_entities(found["hashtags"], E.TAG, "Tag")
    [blue] = found["hashtags"]
    assert len(blue["history"]) == 7  # the last week, today first
    assert (blue["history"][0]["uses"], blue["history"][0]["accounts"]) == ("1", "1")
    assert int(blue["history"][0]["day"]) > int(blue["history"][1]["day"])
    assert_entities(found["statuses"], E.STATUS, "Search.statuses")


def test_report(world, member, other_member, api_for):
    report = ok(api_for(member).post("/api/v1/reports", {
        "account_id": str(other_member.pk), "status_ids[]": [str(world["pictured"].pk)],
        "comment": "testing", "category": "other"}))
    assert_entity(report, E.REPORT, "Report")


def test_error(member, api_for):
    missing = api_for(member).get("/api/v1/statuses/999999")
    assert missing.status_code == 404
    assert_entity(missing.json(), E.ERROR, "Error")
    refused = api_for(member).post("/api/v1/lists", {"title": ""})
    assert refused.status_code == 422
    assert_entity(refused.json(), E.ERROR, "Error")


def test_custom_emoji(db):
    # Parley has no custom emoji: the list is empty, but it is a list.
    assert_entity(ok(Client().get("/api/v1/custom_emojis")), ListOf(E.CUSTOM_EMOJI),
                  "CustomEmoji")


def test_the_checker_names_a_missing_and_a_mistyped_field():
    from tests.api.contracts.checker import problems

    found = problems({"id": 5, "title": "x", "replies_policy": "list"}, E.LIST)
    assert "$.id should be string id (digits), got 5" in found
    assert "$.exclusive is missing (boolean)" in found
    assert problems({"last_read_id": "1", "version": 0, "updated_at": "2024-01-01"},
                    E.MARKER) == ["$.updated_at should be ISO 8601 datetime, got '2024-01-01'"]
