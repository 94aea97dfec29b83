"""The new account and hashtag reads cost a fixed number of queries, whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from parley.accounts import services as accounts
from parley.accounts.selectors import is_following
from parley.social import services as social

pytestmark = pytest.mark.django_db


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connections["default"]) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def _world(make_member, publish, size: int, prefix: str):
    reader = make_member(f"{prefix}reader")
    people = [make_member(f"{prefix}m{i}", discoverable=True) for i in range(size)]
    for i, person in enumerate(people):
        accounts.follow(people[(i + 1) % size], person)
        if i % 2:
            accounts.follow(reader, person)
        publish(person, f"post {i} #{prefix}tag{i}")
        social.follow_tag(reader, f"{prefix}tag{i}")
        social.feature_tag(person, f"{prefix}tag{i}") if i < 10 else None
    return reader, people


@pytest.mark.parametrize("path", [
    "/api/v1/followed_tags", "/api/v2/suggestions", "/api/v1/directory",
    "/api/v1/accounts/familiar_followers?{ids}", "/api/v1/endorsements",
    "/api/v1/mutes",
])
def test_the_same_queries_for_3_and_12_entries(make_member, api_for, publish, path):
    counts = []
    for size, prefix in ((3, "a"), (12, "b")):
        reader, people = _world(make_member, publish, size, prefix)
        for person in people:
            if "endorsements" in path and is_following(reader, person):
                social.endorse(reader, person)
            if "mutes" in path:
                accounts.mute(reader, person, duration=60)
        ids = "&".join(f"id[]={p.pk}" for p in people)
        response_path = path.format(ids=ids)
        assert api_for(reader).get(response_path).json(), path  # a page with entries
        counts.append(_queries(api_for(reader), response_path))
    assert counts[0] == counts[1]
