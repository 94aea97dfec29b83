"""Conversations: the direct-message threads a member takes part in, and only theirs."""

from __future__ import annotations

import pytest

from parley.posts import services as posts
from parley.posts.models import PostState

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(member, other_member, publish):
    """alice writes to bob, bob answers."""
    first = publish(member, "@bob shall we meet at noon?", visibility="direct")
    answer = publish(other_member, "@alice noon works", visibility="direct", in_reply_to=first)
    return first, answer


def conversations(client) -> list[dict]:
    response = client.get("/api/v1/conversations")
    assert response.status_code == 200
    return response.json()


def test_both_see_one_conversation_with_the_other_and_the_last_message(
        thread, member, other_member, api_for):
    first, answer = thread
    for user, other in ((member, "bob"), (other_member, "alice")):
        [conversation] = conversations(api_for(user))
        assert conversation["id"] == str(first.pk)
        assert [a["username"] for a in conversation["accounts"]] == [other]
        assert conversation["last_status"]["id"] == str(answer.pk)
    # bob wrote the last message: unread for alice, not for him.
    assert conversations(api_for(member))[0]["unread"] is True
    assert conversations(api_for(other_member))[0]["unread"] is False


def test_reading_marks_it_read_until_a_new_message(thread, member, other_member, api_for,
                                                  publish):
    first, answer = thread
    alice = api_for(member)
    read = alice.post(f"/api/v1/conversations/{first.pk}/read")
    assert read.status_code == 200 and read.json()["unread"] is False
    assert conversations(alice)[0]["unread"] is False
    publish(other_member, "@alice see you", visibility="direct", in_reply_to=answer)
    assert conversations(alice)[0]["unread"] is True


def test_a_member_never_sees_anothers_conversations(thread, make_member, api_for):
    first, _ = thread
    carol = api_for(make_member("carol"))
    assert conversations(carol) == []
    assert carol.post(f"/api/v1/conversations/{first.pk}/read").status_code == 404
    refused = carol.delete(f"/api/v1/conversations/{first.pk}")
    assert refused.status_code == 404 and refused.json() == {"error": "Record not found"}


def test_a_held_or_removed_message_is_never_the_last_status_to_others(
        thread, member, other_member, api_for, publish):
    first, answer = thread
    later = publish(member, "@bob something the screen should catch", visibility="direct",
                    in_reply_to=answer)
    posts.transition_post(later, PostState.HELD)
    bob_sees = conversations(api_for(other_member))[0]
    assert bob_sees["last_status"]["id"] == str(answer.pk)
    read = api_for(other_member).post(f"/api/v1/conversations/{first.pk}/read").json()
    assert read["last_status"]["id"] == str(answer.pk)
    assert "screen should catch" not in str(conversations(api_for(other_member)))
    # Its author still sees it, marked pending review.
    alice_sees = conversations(api_for(member))[0]["last_status"]
    assert alice_sees["id"] == str(later.pk) and alice_sees["parley"]["pending_review"] is True
    posts.transition_post(answer, PostState.REMOVED)
    assert conversations(api_for(other_member))[0]["last_status"]["id"] == str(first.pk)


def test_a_thread_of_only_held_messages_is_no_conversation(member, other_member, api_for,
                                                          publish):
    lone = publish(member, "@bob held from the start", visibility="direct")
    posts.transition_post(lone, PostState.HELD)
    assert conversations(api_for(other_member)) == []
    assert api_for(other_member).post(f"/api/v1/conversations/{lone.pk}/read").status_code == 404


def test_deleting_hides_it_until_a_newer_message(thread, member, other_member, api_for,
                                                 publish):
    first, answer = thread
    bob = api_for(other_member)
    response = bob.delete(f"/api/v1/conversations/{first.pk}")
    assert response.status_code == 200 and response.json() == {}
    assert conversations(bob) == []
    assert len(conversations(api_for(member))) == 1  # alice keeps hers
    assert bob.get(f"/api/v1/statuses/{answer.pk}").status_code == 200  # posts stay
    publish(member, "@bob still there?", visibility="direct", in_reply_to=answer)
    assert [c["id"] for c in conversations(bob)] == [str(first.pk)]


def test_public_posts_and_other_threads_are_separate(member, other_member, api_for, publish):
    publish(member, "@bob hello in public")
    one = publish(member, "@bob first topic", visibility="direct")
    two = publish(other_member, "@alice second topic", visibility="direct")
    ids = [c["id"] for c in conversations(api_for(other_member))]
    assert ids == [str(two.pk), str(one.pk)]


def test_conversations_page_by_last_status_with_link_headers(member, make_member, api_for,
                                                            publish):
    for name in ("p1", "p2", "p3"):
        make_member(name)
        publish(member, f"@{name} hi", visibility="direct")
    alice = api_for(member)
    first = alice.get("/api/v1/conversations?limit=2")
    assert [c["accounts"][0]["username"] for c in first.json()] == ["p3", "p2"]
    next_url = first["Link"].split(">")[0].lstrip("<")
    rest = alice.get(next_url).json()
    assert [c["accounts"][0]["username"] for c in rest] == ["p1"]


@pytest.mark.parametrize(("scope", "read_code", "write_code"), [
    ("read:statuses", 200, 403), ("write:conversations", 403, 200), ("read write", 200, 200),
])
def test_scopes(thread, member, api_for, scope, read_code, write_code):
    client = api_for(member, scope)
    assert client.get("/api/v1/conversations").status_code == read_code
    assert client.post(f"/api/v1/conversations/{thread[0].pk}/read").status_code == write_code
