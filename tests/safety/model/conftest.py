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


@pytest.fixture
def transformers_case_is_opened(settings, publish_flagged_and_quiet):
    """With PARLEY_TRANSFORMERS_MODEL_PATH set to a model directory, the flagged post is
    published, then gets a background case with the model's evidence; the quiet one none."""

    def check(model_dir) -> None:
        from parley.posts.models import PostState
        from parley.safety.cases.models import Case

        settings.PARLEY_MODERATION_API_URL = ""
        settings.PARLEY_TRANSFORMERS_MODEL_PATH = str(model_dir)
        flagged, quiet = publish_flagged_and_quiet()

        assert flagged.state == PostState.PUBLISHED  # background detectors never hold
        [case] = Case.objects.filter(post=flagged)
        assert case.screening[-1]["tier"] == "background"
        [evidence] = case.screening[-1]["evidence"]["transformers"]["violence"]
        assert evidence.startswith("transformers: threat ")
        assert not Case.objects.filter(post=quiet).exists()

    return check
