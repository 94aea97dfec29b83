"""A followed hashtag's public posts stream on the follower's ``user`` stream (the stream
decides by the home timeline's selector); its held posts do not."""

import json

from websockets.sync.client import connect

from parley.posts import services as posts
from parley.safety.screening import services as screening
from parley.social import services as social
from tests.streaming.test_streaming import (  # noqa: F401 (fixtures)
    HELD_TEXT,
    messages,
    next_update,
    pytestmark,
    streaming,
    token_for,
)


def test_a_followed_tags_posts_stream_home_and_held_ones_do_not(
    streaming, make_member, token_for  # noqa: F811
):
    author, reader = make_member("author"), make_member("reader")
    social.follow_tag(reader, "rivers")
    with connect(f"ws://{streaming}/api/v1/streaming?stream=user"
                 f"&access_token={token_for(reader)}") as ws:
        screening.add_rule("gloop the council", action="hold", category="violence")
        held = posts.create_post(author, f"{HELD_TEXT} #rivers")
        assert held.state == "held"
        posts.create_post(author, "untagged chatter")
        post = posts.create_post(author, "The #Rivers are high today")
        first = next_update(ws, 3.0)
        rest = messages(ws, 1.0)
    assert json.loads(first["payload"])["id"] == str(post.pk)
    assert [m for m in rest if m["event"] == "update"] == []
