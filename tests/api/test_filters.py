"""Filters v2: a member's keywords and statuses warn (``filtered``) or hide, per context, on
the server; nobody else sees or changes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parley.accounts import services as accounts
from parley.filters.models import Filter

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    return [s["id"] for s in response.json()]


def make_filter(client, title="spoilers", context=("home",), action="warn", keywords=(),
                **extra):
    body = {
        "title": title,
        "context": list(context),
        "filter_action": action,
        "keywords_attributes": [{"keyword": k, "whole_word": w} for k, w in keywords],
        **extra,
    }
    response = client.post("/api/v2/filters", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def reader(member, other_member):
    accounts.follow(member, other_member)
    return member


def test_create_read_update_and_delete_a_filter(reader, api_for):
    client = api_for(reader)
    created = make_filter(client, keywords=[("finale", True)], expires_in=3600)

    assert created["title"] == "spoilers"
    assert created["context"] == ["home"]
    assert created["filter_action"] == "warn"
    assert created["expires_at"] is not None
    assert [k["keyword"] for k in created["keywords"]] == ["finale"]
    assert client.get("/api/v2/filters").json() == [created]

    keyword_id = created["keywords"][0]["id"]
    updated = client.put(f"/api/v2/filters/{created['id']}", {
        "title": "show spoilers", "context": ["home", "public"], "filter_action": "hide",
        "expires_in": "",
        "keywords_attributes": [{"id": keyword_id, "_destroy": True}, {"keyword": "ending"}],
    }, format="json").json()
    assert updated["title"] == "show spoilers"
    assert updated["context"] == ["home", "public"]
    assert updated["filter_action"] == "hide"
    assert updated["expires_at"] is None
    assert [k["keyword"] for k in updated["keywords"]] == ["ending"]

    assert client.delete(f"/api/v2/filters/{created['id']}").status_code == 200
    assert client.get("/api/v2/filters").json() == []


def test_keywords_and_statuses_endpoints(reader, other_member, api_for, publish):
    client = api_for(reader)
    post = publish(other_member, "a post to filter")
    fid = make_filter(client)["id"]

    keyword = client.post(f"/api/v2/filters/{fid}/keywords",
                          {"keyword": "#tv", "whole_word": "false"}).json()
    assert keyword["keyword"] == "#tv" and keyword["whole_word"] is False
    assert ids(client.get(f"/api/v2/filters/{fid}/keywords")) == [keyword["id"]]
    changed = client.put(f"/api/v2/filters/keywords/{keyword['id']}", {"whole_word": "true"})
    assert changed.json()["whole_word"] is True
    assert client.get(f"/api/v2/filters/keywords/{keyword['id']}").json()["whole_word"] is True

    status = client.post(f"/api/v2/filters/{fid}/statuses", {"status_id": post.pk}).json()
    assert status["status_id"] == str(post.pk)
    assert client.get(f"/api/v2/filters/{fid}/statuses").json() == [status]
    again = client.post(f"/api/v2/filters/{fid}/statuses", {"status_id": post.pk})
    assert again.status_code == 422
    assert client.get(f"/api/v2/filters/statuses/{status['id']}").json() == status

    # v1: each keyword as a phrase.
    v1 = client.get("/api/v1/filters").json()
    assert [(f["id"], f["phrase"], f["irreversible"]) for f in v1] == [
        (keyword["id"], "#tv", False)]
    assert client.get(f"/api/v1/filters/{keyword['id']}").json()["phrase"] == "#tv"

    assert client.delete(f"/api/v2/filters/keywords/{keyword['id']}").status_code == 200
    assert client.delete(f"/api/v2/filters/statuses/{status['id']}").status_code == 200
    assert client.get(f"/api/v2/filters/{fid}").json()["keywords"] == []
    assert client.get(f"/api/v2/filters/{fid}").json()["statuses"] == []


def test_a_member_never_sees_or_changes_anothers_filters(reader, other_member, api_for):
    mine = make_filter(api_for(reader), keywords=[("secret", True)])
    intruder = api_for(other_member)
    fid, kid = mine["id"], mine["keywords"][0]["id"]

    assert intruder.get("/api/v2/filters").json() == []
    assert intruder.get("/api/v1/filters").json() == []
    for method, path in [
        ("get", f"/api/v2/filters/{fid}"), ("put", f"/api/v2/filters/{fid}"),
        ("delete", f"/api/v2/filters/{fid}"), ("get", f"/api/v2/filters/{fid}/keywords"),
        ("post", f"/api/v2/filters/{fid}/keywords"), ("get", f"/api/v2/filters/keywords/{kid}"),
        ("put", f"/api/v2/filters/keywords/{kid}"), ("delete", f"/api/v2/filters/keywords/{kid}"),
        ("get", f"/api/v1/filters/{kid}"), ("get", f"/api/v2/filters/{fid}/statuses"),
    ]:
        response = getattr(intruder, method)(path, {"title": "mine now", "keyword": "x"})
        assert response.status_code == 404, (method, path)
        assert response.json() == {"error": "Record not found"}
    assert Filter.objects.get(pk=fid).title == "spoilers"


@pytest.mark.parametrize("body", [
    {"title": "", "context": ["home"]},
    {"title": "x", "context": []},
    {"title": "x", "context": ["everywhere"]},
    {"title": "x", "context": ["home"], "filter_action": "explode"},
    {"title": "x", "context": ["home"], "expires_in": -5},
    {"title": "x", "context": ["home"], "expires_in": "soon"},
    {"title": "x", "context": ["home"], "keywords_attributes": "word"},
    {"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": ""}]},
])
def test_bad_filters_are_refused_with_mastodons_error(reader, api_for, body):
    response = api_for(reader).post("/api/v2/filters", body, format="json")
    assert response.status_code == 422
    assert "error" in response.json()
    assert Filter.objects.count() == 0


def test_scopes(reader, api_for):
    assert api_for(reader, "read:filters").post(
        "/api/v2/filters", {"title": "x", "context": ["home"]}).status_code == 403
    assert api_for(reader, "write:filters").post(
        "/api/v2/filters", {"title": "x", "context": ["home"]}).status_code == 200
    assert api_for(reader, "read:statuses").get("/api/v2/filters").status_code == 403


def test_a_warn_filter_marks_matching_statuses_in_home(reader, other_member, api_for, publish):
    client = api_for(reader)
    fid = make_filter(client, keywords=[("finale", True)], expires_in=600)["id"]
    spoiler = publish(other_member, "The Finale was wild")
    partial = publish(other_member, "semifinale chatter")  # not the whole word
    plain = publish(other_member, "nothing to see")

    page = {s["id"]: s for s in client.get("/api/v1/timelines/home").json()}

    result = page[str(spoiler.pk)]["filtered"]
    assert [(r["filter"]["id"], r["keyword_matches"]) for r in result] == [(fid, ["finale"])]
    assert result[0]["filter"]["filter_action"] == "warn"
    assert result[0]["filter"]["context"] == ["home"]
    assert result[0]["filter"]["expires_at"] == client.get(
        f"/api/v2/filters/{fid}").json()["expires_at"]
    assert page[str(partial.pk)]["filtered"] == []
    assert page[str(plain.pk)]["filtered"] == []
    # Not another's: the author sees no filter results.
    own = api_for(other_member).get(f"/api/v1/accounts/{other_member.pk}/statuses").json()
    assert all(s["filtered"] == [] for s in own)


def test_whole_word_off_matches_inside_words(reader, other_member, api_for, publish):
    client = api_for(reader)
    make_filter(client, keywords=[("final", False)])
    post = publish(other_member, "semifinals tonight")
    page = {s["id"]: s for s in client.get("/api/v1/timelines/home").json()}
    assert page[str(post.pk)]["filtered"][0]["keyword_matches"] == ["final"]


def test_a_hide_filter_drops_statuses_and_still_fills_the_page(reader, other_member, api_for,
                                                               publish):
    client = api_for(reader)
    make_filter(client, action="hide", keywords=[("spoiler", True)])
    kept = [publish(other_member, f"fine post {i}") for i in range(3)]
    hidden = [publish(other_member, f"spoiler number {i}") for i in range(5)]

    page = client.get("/api/v1/timelines/home", {"limit": 3})

    assert ids(page) == [str(p.pk) for p in reversed(kept)]
    assert not set(ids(page)) & {str(p.pk) for p in hidden}
    assert 'rel="next"' in page["Link"]


def test_a_status_filter_and_contexts(reader, other_member, api_for, publish):
    client = api_for(reader)
    post = publish(other_member, "that one post #topic")
    fid = make_filter(client, context=["public"])["id"]
    client.post(f"/api/v2/filters/{fid}/statuses", {"status_id": post.pk})

    public = client.get("/api/v1/timelines/public").json()
    tag = client.get("/api/v1/timelines/tag/topic").json()
    home = client.get("/api/v1/timelines/home").json()

    assert public[0]["filtered"][0]["status_matches"] == [str(post.pk)]
    assert tag[0]["filtered"][0]["filter"]["id"] == fid
    assert home[0]["filtered"] == []  # the filter is for public timelines only


def test_thread_account_and_list_contexts(reader, other_member, api_for, publish):
    client = api_for(reader)
    make_filter(client, context=["thread", "account"], action="hide", keywords=[("boo", True)])
    make_filter(client, title="lists", context=["home"], keywords=[("hey", True)])
    root = publish(other_member, "hey root")
    reply = publish(other_member, "boo reply", in_reply_to=root)
    listed = client.post("/api/v1/lists", {"title": "friends"}).json()
    client.post(f"/api/v1/lists/{listed['id']}/accounts", {"account_ids[]": other_member.pk})

    context = client.get(f"/api/v1/statuses/{root.pk}/context").json()
    account = client.get(f"/api/v1/accounts/{other_member.pk}/statuses").json()
    in_list = client.get(f"/api/v1/timelines/list/{listed['id']}").json()

    assert context["descendants"] == []
    assert [s["id"] for s in account] == [str(root.pk)]
    assert {s["id"]: bool(s["filtered"]) for s in in_list} == {
        str(reply.pk): False, str(root.pk): True}


def test_an_expired_filter_no_longer_applies(reader, other_member, api_for, publish):
    client = api_for(reader)
    fid = make_filter(client, action="hide", keywords=[("gone", True)])["id"]
    post = publish(other_member, "gone soon")
    assert ids(client.get("/api/v1/timelines/home")) == []
    Filter.objects.filter(pk=fid).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ids(client.get("/api/v1/timelines/home")) == [str(post.pk)]


def test_form_encoded_keywords_attributes(reader, api_for):
    response = api_for(reader).post("/api/v2/filters", {
        "title": "form", "context[]": ["home"],
        "keywords_attributes[][keyword]": ["one", "two"],
        "keywords_attributes[][whole_word]": ["true", "false"],
    })
    assert response.status_code == 200, response.content
    assert [(k["keyword"], k["whole_word"]) for k in response.json()["keywords"]] == [
        ("one", True), ("two", False)]


def test_notification_filters_mark_or_drop_notifications(reader, other_member, api_for,
                                                        publish):
    client = api_for(reader)
    make_filter(client, title="shouting", context=["notifications"],
                keywords=[("loud", True)])
    make_filter(client, title="ads", context=["notifications"], action="hide",
                keywords=[("coupon", True)])
    loud = publish(other_member, "@alice LOUD hello")
    publish(other_member, "@alice coupon inside")
    calm = publish(other_member, "@alice calm hello")

    page = client.get("/api/v1/notifications").json()

    assert [n["status"]["id"] for n in page] == [str(calm.pk), str(loud.pk)]
    assert page[0]["status"]["filtered"] == []
    assert page[1]["status"]["filtered"][0]["filter"]["title"] == "shouting"
    # Home is another context: the same posts there are not filtered.
    home = client.get("/api/v1/timelines/home").json()
    assert len(home) == 3 and all(s["filtered"] == [] for s in home)
