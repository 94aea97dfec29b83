"""Scaled mode without its Redis: posting still works and is still screened.

Regression for the load bench's 500 from `POST /api/v1/statuses`: the screening lists'
version check read the shared cache (Redis) and a Redis error failed the post. The cache
now fails open (``core.cache.ResilientRedisCache``, scaled mode's cache): the lists come
from this process's copy or the database while Redis is unreachable."""

from __future__ import annotations

import socket

import pytest

from parley.posts import services as posts
from parley.posts.models import Post, PostState
from parley.safety.screening import services as screening

pytestmark = pytest.mark.django_db
VIOLENT = "Everyone meet at the town square tomorrow and beat the marchers until they stop"


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused, as to a Redis that died."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lose_redis(settings) -> None:
    settings.CACHES = {"default": {
        "BACKEND": "parley.core.cache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
    }}


def test_a_post_is_published_while_redis_is_unreachable(member, api_for, settings):
    lose_redis(settings)

    response = api_for(member).post("/api/v1/statuses",
                                    {"status": "The bakery has rye bread again"})

    assert response.status_code == 200, response.content[:300]
    status = response.json()
    assert status["parley"]["state"] == "published"
    assert status["parley"]["pending_review"] is False  # screened, not waved through
    assert Post.objects.get(pk=status["id"]).text == "The bakery has rye bread again"


def test_a_copy_of_a_removed_post_is_still_held_while_redis_is_unreachable(
        member, other_member, api_for, settings):
    original = posts.create_post(member, VIOLENT)
    posts.transition_post(original, PostState.REMOVED)
    screening.index_removed_post(original, "violence")
    lose_redis(settings)

    response = api_for(other_member).post("/api/v1/statuses", {"status": VIOLENT})

    assert response.status_code == 200, response.content[:300]
    assert response.json()["parley"]["state"] == "held"
