"""Quote posts as Mastodon 4.5: ``quoted_status_id`` on a new status, the ``quote`` (Quote,
with ``state`` and ``quoted_status``) and ``quote_approval`` on statuses, the quotes of a
post and their revocation. A quote of a post the reader may not see (held, removed,
deleted, private) shows ``quoted_status: null`` with a state saying so."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from parley.accounts import services as accounts
from parley.posts import services as posts
from parley.posts.models import Post, PostState
from parley.safety.cases.models import Case
from parley.safety.screening import services as screening

pytestmark = pytest.mark.django_db
THREAT = "I am going to kill you, I know where you live"
HELD_TEXT = "time to gloop the council"  # an operator's hold rule matches it


def _quote(client, quoted_id, text="look at this", **extra):
    return client.post("/api/v1/statuses",
                       {"status": text, "quoted_status_id": str(quoted_id), **extra},
                       format="json")


def test_a_quote_shows_the_quoted_status(member, other_member, publish, api_for):
    original = publish(member, "an original thought")
    response = _quote(api_for(other_member), original.pk)
    assert response.status_code == 200, response.json()
    quote = response.json()["quote"]
    assert quote["state"] == "accepted"
    assert quote["quoted_status"]["id"] == str(original.pk)
    assert quote["quoted_status"]["content"] == "<p>an original thought</p>"
    assert quote["quoted_status"]["account"]["username"] == member.username
    made = Post.objects.get(pk=response.json()["id"])
    made.distributed_at = original.distributed_at
    made.save()
    anonymous = APIClient().get(f"/api/v1/statuses/{made.pk}").json()
    assert anonymous["quote"]["quoted_status"]["id"] == str(original.pk)
    assert anonymous["quote_approval"] == {"automatic": ["public"], "manual": [],
                                           "current_user": "unknown"}
    plain = api_for(other_member).get(f"/api/v1/statuses/{original.pk}").json()
    assert plain["quote"] is None
    assert plain["quote_approval"]["current_user"] == "automatic"


def test_a_quote_of_a_quote_is_shallow(member, other_member, make_member, publish, api_for):
    original = publish(member, "first")
    middle = publish(other_member, "second", quote_of=original)
    top = _quote(api_for(make_member("carol")), middle.pk).json()
    inner = top["quote"]["quoted_status"]
    assert inner["id"] == str(middle.pk)
    assert inner["quote"] == {"state": "accepted", "quoted_status_id": str(original.pk)}


@pytest.mark.parametrize("change, state", [
    ("held", "unauthorized"),
    ("removed", "unauthorized"),
    ("deleted", "deleted"),
    ("blocked", "unauthorized"),
])
def test_a_quote_of_a_post_gone_from_view_shows_it_unavailable(
        change, state, member, other_member, make_member, publish, api_for):
    original = publish(member, "soon unavailable quokka")
    quote = publish(other_member, "quoting it", quote_of=original)
    reader = make_member("reader")
    if change == "held":
        posts.transition_post(original, PostState.HELD)
    elif change == "removed":
        posts.transition_post(original, PostState.REMOVED)
    elif change == "deleted":
        posts.delete_post(member, original)
    else:
        accounts.block(member, reader)
    for who, client in (("reader", api_for(reader)), ("anonymous", APIClient())):
        body = client.get(f"/api/v1/statuses/{quote.pk}")
        assert body.status_code == 200
        data = body.json()
        if who == "anonymous" and change == "blocked":
            assert data["quote"]["state"] == "accepted"  # only the blocked reader loses it
            continue
        assert data["quote"] == {"state": state, "quoted_status": None}
        assert "quokka" not in body.content.decode()


def test_private_and_direct_posts_cannot_be_quoted(member, other_member, publish, api_for):
    accounts.follow(other_member, member)
    client = api_for(other_member)
    for visibility in ("private", "direct"):
        text = f"@{other_member.username} secret" if visibility == "direct" else "secret"
        post = publish(member, text, visibility=visibility)
        response = _quote(client, post.pk)
        assert response.status_code == 422, visibility
        assert "cannot be quoted" in response.json()["error"]
    own = publish(member, "mine, followers only", visibility="private")
    assert _quote(api_for(member), own.pk).status_code == 422
    assert Post.objects.filter(quote_of__isnull=False).count() == 0


def test_unseen_or_unknown_posts_are_a_404_and_bad_policies_422(member, other_member,
                                                                  publish, api_for):
    screening.add_rule("gloop the council", action="hold", category="violence")
    held = publish(member, HELD_TEXT)
    assert held.state == PostState.HELD
    client = api_for(other_member)
    assert _quote(client, held.pk).status_code == 404
    assert _quote(client, 999999).status_code == 404
    assert _quote(client, "abc").status_code == 404
    original = publish(member, "fine")
    bad = _quote(client, original.pk, quote_approval_policy="everyone")
    assert bad.status_code == 422 and "quote_approval_policy" in bad.json()["error"]


def test_quote_approval_policies(member, other_member, make_member, publish, api_for):
    stranger = make_member("stranger")
    accounts.follow(other_member, member)
    nobody = _quote(api_for(member), publish(member, "x").pk, text="own",
                    quote_approval_policy="nobody").json()
    followers = publish(member, "for my followers", quote_policy="followers")
    closed = Post.objects.get(pk=nobody["id"])
    assert nobody["quote_approval"]["automatic"] == []
    assert _quote(api_for(stranger), followers.pk).status_code == 403
    view = api_for(stranger).get(f"/api/v1/statuses/{followers.pk}").json()
    assert view["quote_approval"] == {"automatic": ["followers"], "manual": [],
                                      "current_user": "denied"}
    fan = api_for(other_member)
    assert fan.get(f"/api/v1/statuses/{followers.pk}").json()["quote_approval"][
        "current_user"] == "automatic"
    assert _quote(fan, followers.pk).status_code == 200
    closed.distributed_at = followers.distributed_at
    closed.save()
    assert _quote(fan, closed.pk).status_code == 403
    assert _quote(api_for(member), closed.pk).status_code == 200  # its author may


def test_a_quote_is_screened_and_a_held_one_stays_hidden(member, other_member, make_member,
                                                        publish, api_for):
    screening.add_rule("gloop the council", action="hold", category="violence")
    original = publish(member, "hello")
    threat = _quote(api_for(other_member), original.pk, text=THREAT)
    assert threat.status_code == 200
    assert Case.objects.filter(post_id=threat.json()["id"]).exists()  # a person decides
    response = _quote(api_for(other_member), original.pk, text=HELD_TEXT)
    assert response.status_code == 200
    assert Post.objects.get(pk=response.json()["id"]).state == PostState.HELD
    quotes = api_for(member).get(f"/api/v1/statuses/{original.pk}/quotes").json()
    assert quotes == []  # the author of the quoted post never sees the held quote


def test_the_author_lists_and_revokes_quotes(member, other_member, publish, api_for):
    original = publish(member, "quotable")
    first = publish(other_member, "one", quote_of=original)
    second = publish(other_member, "two", quote_of=original)
    author = api_for(member)
    listed = author.get(f"/api/v1/statuses/{original.pk}/quotes")
    assert [s["id"] for s in listed.json()] == [str(second.pk), str(first.pk)]
    assert api_for(other_member).get(
        f"/api/v1/statuses/{original.pk}/quotes").status_code == 403
    assert api_for(member, "write").get(
        f"/api/v1/statuses/{original.pk}/quotes").status_code == 403

    revoked = author.post(f"/api/v1/statuses/{original.pk}/quotes/{first.pk}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["quote"] == {"state": "revoked", "quoted_status": None}
    assert [s["id"] for s in author.get(f"/api/v1/statuses/{original.pk}/quotes").json()] == [
        str(second.pk)]
    # Only the quoted post's author revokes.
    assert api_for(other_member).post(
        f"/api/v1/statuses/{original.pk}/quotes/{second.pk}/revoke").status_code == 404


def test_an_echo_quotes_its_original(member, other_member, publish, api_for):
    original = publish(member, "echoed")
    echo = publish(other_member, "", reblog_of=original)
    response = _quote(api_for(other_member), echo.pk)
    assert response.json()["quote"]["quoted_status"]["id"] == str(original.pk)


def test_the_author_changes_the_quote_policy(member, other_member, publish, api_for):
    post = publish(member, "open for now")
    author = api_for(member)
    response = author.put(f"/api/v1/statuses/{post.pk}/interaction_policy",
                          {"quote_approval_policy": "nobody"}, format="json")
    assert response.status_code == 200
    assert response.json()["quote_approval"]["automatic"] == []
    assert _quote(api_for(other_member), post.pk).status_code == 403
    assert api_for(other_member).put(f"/api/v1/statuses/{post.pk}/interaction_policy",
                                     {"quote_approval_policy": "public"}).status_code == 404
    assert author.put(f"/api/v1/statuses/{post.pk}/interaction_policy",
                      {"quote_approval_policy": "all"}).status_code == 422
