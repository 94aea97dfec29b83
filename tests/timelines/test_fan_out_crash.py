"""A fan-out that dies halfway (the worker is killed) leaves nothing half-done: run again,
it ends exactly as one uninterrupted run would."""

from __future__ import annotations

import pytest

from parley.posts import services
from parley.posts.models import Post, PostState
from parley.safety.cases import services as case_services
from parley.safety.cases.models import Case
from parley.timelines.tasks import distribute_post

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerKilled(BaseException):
    """Stands for kill -9 at this point: nothing after it runs, no handler catches it."""


@pytest.fixture
def accurate_tier_holds(settings):
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }
    settings.PARLEY_BUILTIN_MODEL = False
    settings.PARLEY_EXTRA_DETECTORS = ["tests.safety.screening.fake_detectors.AccurateViolence"]


def test_a_fan_out_killed_between_hold_and_case_is_redone_whole(
    accurate_tier_holds, member, monkeypatch
):
    post = services.create_post(member, "I will spoonbender you")

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(case_services, "open_case_for_screening", killed)
        with pytest.raises(WorkerKilled):
            distribute_post.call(post.pk, True)
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED and post.distributed_at is None

    assert distribute_post.call(post.pk, True) == "held"
    assert Post.objects.get(pk=post.pk).state == PostState.HELD
    assert Case.objects.filter(post=post).count() == 1
