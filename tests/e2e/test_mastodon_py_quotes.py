"""Quote posts through Mastodon.py against a live server: quote, list and revoke quotes,
and a quoted post held later shows as unavailable."""

import pytest
from mastodon.errors import MastodonAPIError

from parley.posts import services as posts
from parley.posts.models import Post, PostState
from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_quote_posts_through_mastodon_py(live_server, make_member):
    make_member("alice"), make_member("bob")
    alice = client_for(live_server, "alice@example.org")
    bob = client_for(live_server, "bob@example.org")

    original = alice.status_post("Worth quoting")
    quote = bob.status_post("So true", quoted_status_id=original.id)
    assert quote.quote.state == "accepted" and quote.quote.quoted_status.id == original.id
    assert [s.id for s in alice.status_quotes(original.id)] == [quote.id]

    bob.account_follow(alice.me().id)
    secret = alice.status_post("followers only", visibility="private")
    with pytest.raises(MastodonAPIError, match="cannot be quoted"):
        bob.status_post("leak", quoted_status_id=secret.id)

    closed = alice.status_update_quote_approval_policy(original.id, "nobody")
    assert closed.quote_approval.automatic == []
    with pytest.raises(MastodonAPIError):
        bob.status_post("again", quoted_status_id=original.id)

    # A moderator holds the quoted post: the quote stays, the quoted post does not show.
    posts.transition_post(Post.objects.get(pk=original.id), PostState.HELD)
    seen = bob.status(quote.id)
    assert seen.quote.state == "unauthorized" and seen.quote.quoted_status is None
    posts.transition_post(Post.objects.get(pk=original.id), PostState.PUBLISHED)

    revoked = alice.status_quote_revoke(original.id, quote.id)
    assert revoked.quote.state == "revoked" and revoked.quote.quoted_status is None
    assert alice.status_quotes(original.id) == []
