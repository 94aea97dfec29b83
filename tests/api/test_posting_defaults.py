"""A member's posting defaults (visibility, sensitive media, language): set from an app
(``update_credentials`` ``source[...]``) or the settings page, shown in preferences and on
the credential account, and applied to new posts that do not say otherwise."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def prefs(client) -> dict:
    response = client.get("/api/v1/preferences")
    assert response.status_code == 200
    return response.json()


def test_defaults_set_from_an_app_show_in_preferences_and_source(member, api_for):
    client = api_for(member)
    saved = client.patch("/api/v1/accounts/update_credentials", {
        "source[privacy]": "private", "source[sensitive]": "true", "source[language]": "de"})
    assert saved.status_code == 200
    assert {k: saved.json()["source"][k] for k in ("privacy", "sensitive", "language")} == {
        "privacy": "private", "sensitive": True, "language": "de"}
    assert prefs(client) == {
        "posting:default:visibility": "private",
        "posting:default:sensitive": True,
        "posting:default:language": "de",
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }
    again = client.get("/api/v1/accounts/verify_credentials").json()["source"]
    assert again["privacy"] == "private" and again["language"] == "de"


def test_a_json_source_object_and_partial_changes(member, api_for):
    client = api_for(member)
    client.patch("/api/v1/accounts/update_credentials",
                 {"source": {"privacy": "unlisted", "language": "fr"}}, format="json")
    client.patch("/api/v1/accounts/update_credentials", {"display_name": "Alice"})
    assert prefs(client)["posting:default:visibility"] == "unlisted"
    assert prefs(client)["posting:default:language"] == "fr"
    client.patch("/api/v1/accounts/update_credentials", {"source[language]": ""})
    assert prefs(client)["posting:default:language"] is None


def test_new_posts_take_the_defaults_unless_they_say_otherwise(member, api_for):
    client = api_for(member)
    client.patch("/api/v1/accounts/update_credentials", {
        "source[privacy]": "unlisted", "source[sensitive]": "1", "source[language]": "nl"})
    plain = client.post("/api/v1/statuses", {"status": "hallo"}).json()
    assert (plain["visibility"], plain["sensitive"], plain["language"]) == ("unlisted", True, "nl")
    chosen = client.post("/api/v1/statuses", {"status": "hello", "visibility": "public",
                                              "sensitive": "false", "language": "en"}).json()
    assert (chosen["visibility"], chosen["sensitive"], chosen["language"]) == (
        "public", False, "en")


def test_a_reply_is_never_wider_than_its_parent_or_the_default(member, other_member, api_for,
                                                               publish):
    shout = publish(other_member, "hello everyone")
    whisper = publish(other_member, "@alice psst", visibility="direct")
    client = api_for(member)
    client.patch("/api/v1/accounts/update_credentials", {"source[privacy]": "private"})
    to_shout = client.post("/api/v1/statuses", {"status": "@bob hi",
                                                "in_reply_to_id": str(shout.pk)}).json()
    assert to_shout["visibility"] == "private"
    client.patch("/api/v1/accounts/update_credentials", {"source[privacy]": "public"})
    to_whisper = client.post("/api/v1/statuses", {"status": "@bob ok",
                                                  "in_reply_to_id": str(whisper.pk)}).json()
    assert to_whisper["visibility"] == "direct"


@pytest.mark.parametrize("field", [
    {"source[privacy]": "direct"},
    {"source[privacy]": "everyone"},
    {"source[language]": "english please"},
    {"source[sensitive]": "maybe"},
])
def test_bad_defaults_are_refused_and_nothing_changes(member, api_for, field):
    client = api_for(member)
    refused = client.patch("/api/v1/accounts/update_credentials",
                           {"display_name": "Changed", **field})
    assert refused.status_code == 422 and "error" in refused.json()
    assert prefs(client)["posting:default:visibility"] == "public"
    assert client.get("/api/v1/accounts/verify_credentials").json()["display_name"] != "Changed"


def test_setting_defaults_needs_write_accounts(member, api_for):
    denied = api_for(member, "read write:statuses").patch(
        "/api/v1/accounts/update_credentials", {"source[privacy]": "private"})
    assert denied.status_code == 403
    assert prefs(api_for(member))["posting:default:visibility"] == "public"


def test_the_settings_page_sets_the_defaults_and_the_composer_starts_there(member, api_for):
    web = Client()
    assert web.login(username=member.username, password=PASSWORD)
    page = web.post("/settings/profile", {"display_name": "", "bio": "",
                                          "posting_visibility": "private",
                                          "posting_sensitive": "on", "posting_language": "sv"})
    assert page.status_code == 302
    saved = prefs(api_for(member))
    assert saved["posting:default:visibility"] == "private"
    assert saved["posting:default:sensitive"] is True
    assert saved["posting:default:language"] == "sv"
    home = web.get("/").content.decode()
    assert '<option value="private" selected>' in home
