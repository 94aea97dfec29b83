"""Locked accounts and follow requests through Mastodon.py."""

import pytest

from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_a_locked_account_authorizes_one_request_and_rejects_another(live_server, make_member):
    for name in ("alice", "bob", "carol"):
        make_member(name)
    alice, bob, carol = (client_for(live_server, f"{n}@example.org")
                         for n in ("alice", "bob", "carol"))
    me = alice.account_update_credentials(locked=True)
    assert me.locked is True

    assert bob.account_follow(me.id).requested is True
    assert carol.account_follow(me.id).requested is True
    pending = alice.follow_requests()
    assert [a.username for a in pending] == ["carol", "bob"]
    assert alice.account_verify_credentials().source.follow_requests_count == 2

    bob_id, carol_id = pending[1].id, pending[0].id
    assert alice.follow_request_authorize(bob_id).followed_by is True
    assert alice.follow_request_reject(carol_id).followed_by is False
    assert alice.follow_requests() == []
    assert bob.account_relationships(me.id)[0].following is True
    carol_sees = carol.account_relationships(me.id)[0]
    assert carol_sees.following is False and carol_sees.requested is False
    assert [a.username for a in alice.account_followers(me.id)] == ["bob"]
