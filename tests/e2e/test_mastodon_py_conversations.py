"""Direct messages as conversations, through Mastodon.py."""

import pytest

from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_a_dm_thread_is_one_conversation_and_reads(live_server, make_member):
    for name in ("alice", "bob", "carol"):
        make_member(name)
    alice, bob, carol = (client_for(live_server, f"{n}@example.org")
                         for n in ("alice", "bob", "carol"))
    question = alice.status_post("@bob lunch tomorrow?", visibility="direct")
    answer = bob.status_post("@alice yes!", visibility="direct", in_reply_to_id=question.id)

    [conversation] = alice.conversations()
    assert conversation.unread is True
    assert [a.username for a in conversation.accounts] == ["bob"]
    assert conversation.last_status.id == answer.id
    assert alice.conversations_read(conversation.id).unread is False
    assert alice.conversations()[0].unread is False
    assert carol.conversations() == []
    # Mastodon.py has no call for DELETE /api/v1/conversations/:id (tests/api covers it).
