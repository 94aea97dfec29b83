"""Mastodon.py, a client nobody here wrote, drives the whole member flow against a live server."""

import io

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonNotFoundError
from PIL import Image

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def client_for(live_server, email: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "parley-e2e", api_base_url=live_server.url, scopes=["read", "write", "follow"]
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=live_server.url)
    # The test server speaks plain HTTP on loopback; real deployments use HTTPS.
    api.log_in(email, PASSWORD, scopes=["read", "write", "follow"], allow_http=True)
    return api


def test_a_member_flow_through_mastodon_py(live_server, make_member):
    alice_user, bob_user = make_member("alice"), make_member("bob")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")

    me = alice.account_verify_credentials()
    assert me.username == "alice"
    assert "Parley" in alice.instance().version

    bob.account_follow(me.id)
    assert bob.account_relationships(me.id)[0].following is True

    post = alice.status_post("Hello @bob, welcome to #parleytest")
    assert post.tags[0].name == "parleytest"
    assert post.mentions[0].username == "bob"

    assert post.id in [s.id for s in bob.timeline_home()]
    assert post.id in [s.id for s in bob.timeline_public()]
    assert post.id in [s.id for s in bob.timeline_hashtag("parleytest")]

    bob.status_favourite(post.id)
    bob.status_reblog(post.id)
    reply = bob.status_post("Thanks!", in_reply_to_id=post.id)
    context = alice.status_context(post.id)
    assert [s.id for s in context.descendants] == [reply.id]
    assert alice.status(post.id).favourites_count == 1

    kinds = {n.type for n in alice.notifications()}
    assert {"follow", "favourite", "reblog"} <= kinds
    bob_kinds = {n.type for n in bob.notifications()}
    assert "mention" in bob_kinds

    found = bob.search_v2("alice")
    assert [a.username for a in found.accounts] == ["alice"]
    found = bob.search_v2("welcome")
    assert post.id in [s.id for s in found.statuses]

    bob.account_unfollow(me.id)
    assert bob.account_relationships(me.id)[0].following is False

    alice.status_delete(post.id)
    with pytest.raises(MastodonNotFoundError):
        bob.status(post.id)

    other = alice.status_post("something rude")
    report = bob.report(me.id, status_ids=[other.id], comment="rude", category="other")
    assert report.target_account.id == me.id
    assert alice_user.pk and bob_user.pk


def test_edit_media_paging_block_and_errors_through_mastodon_py(live_server, make_member):
    make_member("carol"), make_member("dave")
    carol = client_for(live_server, "carol@example.org")
    dave = client_for(live_server, "dave@example.org")
    carol_id = carol.account_verify_credentials().id

    image = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, format="PNG")
    media = carol.media_post(image.getvalue(), mime_type="image/png", description="a dot")
    post = carol.status_post("with a picture", media_ids=[media.id], spoiler_text="cw")
    assert post.media_attachments[0].type == "image"
    assert post.spoiler_text == "cw"

    edited = carol.status_update(post.id, status="with a picture, edited")
    assert "edited" in edited.content
    assert edited.edited_at is not None

    ids = [carol.status_post(f"post number {n}").id for n in range(5)]
    first_page = dave.account_statuses(carol_id, limit=2)
    assert [s.id for s in first_page] == ids[:-3:-1]
    second_page = dave.fetch_next(first_page)
    assert [s.id for s in second_page] == [ids[2], ids[1]]

    dave.account_block(carol_id)
    assert dave.account_relationships(carol_id)[0].blocking is True
    with pytest.raises(MastodonAPIError) as too_long:
        carol.status_post("x" * 501)
    assert "character limit" in str(too_long.value)
