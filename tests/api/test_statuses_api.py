"""The client API as apps call it: parameters, errors, paging, idempotency, authorization."""

import pytest
from rest_framework.test import APIClient

from parley.accounts import services as accounts
from parley.posts import services as posts

pytestmark = pytest.mark.django_db(transaction=True)


def test_form_and_json_bodies_both_create_statuses(member, api_for):
    api = api_for(member)
    as_form = api.post("/api/v1/statuses", {"status": "form body", "sensitive": "1"})
    as_json = api.post(
        "/api/v1/statuses", {"status": "json body", "sensitive": True}, format="json"
    )
    assert as_form.status_code == 200 and as_json.status_code == 200
    assert as_form.json()["sensitive"] is True and as_json.json()["sensitive"] is True
    assert as_json.json()["content"] == "<p>json body</p>"


def test_trailing_slash_is_optional(member, api_for):
    api = api_for(member)
    assert api.get("/api/v1/accounts/verify_credentials/").status_code == 200
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 200


def test_errors_use_mastodon_error_json(member, api_for):
    anonymous = APIClient()
    missing = anonymous.post("/api/v1/statuses", {"status": "hi"})
    assert missing.status_code == 401 and "error" in missing.json()
    too_long = api_for(member).post("/api/v1/statuses", {"status": "x" * 501})
    assert too_long.status_code == 422
    assert "character limit" in too_long.json()["error"]
    not_found = anonymous.get("/api/v1/statuses/999999")
    assert not_found.status_code == 404 and not_found.json() == {"error": "Record not found"}
    read_only = api_for(member, scope="read").post("/api/v1/statuses", {"status": "hi"})
    assert read_only.status_code == 403


def test_malformed_json_gets_a_400_with_a_message(member, api_for):
    response = api_for(member).post(
        "/api/v1/statuses", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Malformed request")


def test_idempotency_key_returns_the_same_status(member, api_for):
    api = api_for(member)
    first = api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="abc")
    second = api.post("/api/v1/statuses", {"status": "once"}, HTTP_IDEMPOTENCY_KEY="abc")
    assert first.json()["id"] == second.json()["id"]
    assert member.posts.count() == 1


def test_pagination_link_headers(member, api_for):
    for i in range(5):
        posts.create_post(member, f"post {i}")
    api = api_for(member)
    page = api.get("/api/v1/timelines/home", {"limit": 2})
    ids = [s["id"] for s in page.json()]
    assert len(ids) == 2
    assert f"max_id={ids[-1]}" in page["Link"] and 'rel="next"' in page["Link"]
    older = api.get("/api/v1/timelines/home", {"limit": 2, "max_id": ids[-1]}).json()
    assert all(int(s["id"]) < int(ids[-1]) for s in older)
    newer = api.get("/api/v1/timelines/home", {"limit": 2, "min_id": older[-1]["id"]}).json()
    # min_id pages forward: the two posts right after older[-1], newest first
    assert [s["id"] for s in newer] == [ids[1], older[0]["id"]]


def test_list_parameters_with_brackets(member, other_member, make_member, api_for):
    third = make_member()
    response = api_for(member).get(
        f"/api/v1/accounts/relationships?id[]={other_member.pk}&id[]={third.pk}"
    )
    assert [r["id"] for r in response.json()] == [str(other_member.pk), str(third.pk)]


def test_members_cannot_edit_or_delete_others_posts(member, other_member, api_for):
    post = posts.create_post(member, "mine")
    intruder = api_for(other_member)
    assert intruder.delete(f"/api/v1/statuses/{post.pk}").status_code == 403
    assert intruder.put(f"/api/v1/statuses/{post.pk}", {"status": "hacked"}).status_code == 403
    post.refresh_from_db()
    assert post.text == "mine" and post.state == "published"


def test_direct_messages_stay_between_sender_and_recipient(
    member, other_member, make_member, api_for
):
    eve = make_member("eve")
    dm = posts.create_post(member, "@bob secret plan", visibility="direct")
    assert api_for(other_member).get(f"/api/v1/statuses/{dm.pk}").status_code == 200
    eve_api = api_for(eve)
    assert eve_api.get(f"/api/v1/statuses/{dm.pk}").status_code == 404
    assert APIClient().get(f"/api/v1/statuses/{dm.pk}").status_code == 404
    accounts.follow(eve, member)
    assert dm.pk not in [int(s["id"]) for s in eve_api.get("/api/v1/timelines/home").json()]
    assert dm.pk not in [
        int(s["id"]) for s in eve_api.get(f"/api/v1/accounts/{member.pk}/statuses").json()
    ]


def test_followers_only_posts_need_a_follow(member, other_member, api_for):
    post = posts.create_post(member, "friends only", visibility="private")
    stranger = api_for(other_member)
    assert stranger.get(f"/api/v1/statuses/{post.pk}").status_code == 404
    accounts.follow(other_member, member)
    assert stranger.get(f"/api/v1/statuses/{post.pk}").status_code == 200


def test_rate_limit_answers_429_with_headers(member, api_for, settings, monkeypatch):
    settings.PARLEY_RATE_LIMITS = True
    monkeypatch.setenv("PARLEY_RATE_LIMIT_API_TOKEN", "3/300")
    api = api_for(member)
    statuses = [api.get("/api/v1/timelines/home").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/api/v1/timelines/home")
    assert limited["X-RateLimit-Limit"] == "3"
    assert limited["X-RateLimit-Remaining"] == "0"
    assert limited["X-RateLimit-Reset"].endswith("Z")


def test_openapi_document_is_served(db):
    response = APIClient().get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/statuses" in response.content.decode()


def test_instance_reports_mastodon_version_and_api_versions(db):
    v2 = APIClient().get("/api/v2/instance").json()
    assert v2["version"].startswith("4.3.0 (compatible; Parley ")
    assert v2["api_versions"] == {"mastodon": 2}
    assert v2["configuration"]["statuses"]["max_characters"] == 500


def test_mastodon_43_always_present_fields(member, other_member, api_for, publish):
    from parley.notifications import services as notification_services

    client = api_for(member)
    account = client.get(f"/api/v1/accounts/{other_member.pk}").json()
    assert (account["indexable"], account["hide_collections"], account["group"]) == (
        True, False, False)
    own = client.get("/api/v1/accounts/verify_credentials").json()
    assert own["source"]["indexable"] is True
    post = publish(member, "hello")
    notification_services.notify(recipient=member, actor=other_member,
                                 kind="favourite", post=post)
    group_key = client.get("/api/v1/notifications").json()[0]["group_key"]
    assert group_key.startswith(f"favourite-{post.pk}-")
    assert client.get("/api/v2/instance").json()["icon"] == []
