"""Shared steps of the model's tests."""

from __future__ import annotations

import pytest

FLAGGED = "the villain in my novel wants to kill the king"
QUIET = "a walk in the park with the dog"


@pytest.fixture
def publish_flagged_and_quiet(member, django_capture_on_commit_callbacks):
    """``member`` publishes a post a violence backend flags and one it does not, through
    fan-out and the background tier; returns both posts, re-read."""
    from parley.posts import services as posts

    def publish():
        with django_capture_on_commit_callbacks(execute=True):
            flagged = posts.create_post(member, FLAGGED)
            quiet = posts.create_post(member, QUIET)
        flagged.refresh_from_db()
        return flagged, quiet

    return publish
