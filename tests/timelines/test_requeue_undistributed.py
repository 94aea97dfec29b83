"""The worker's recovery round re-queues posts whose fan-out never ran, once, after a grace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from parley.accounts import services as accounts
from parley.core import taskqueue
from parley.core.management.commands.worker import run_recovery
from parley.posts import services
from parley.posts.models import Post
from parley.timelines import selectors as timelines
from parley.timelines.tasks import distribute_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }


def run_queue() -> None:
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id=taskqueue.new_worker_id(),
           excluded_queue_names=[]).run()


def fan_out_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=distribute_post.module_path))


def age(post: Post, seconds: float) -> None:
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(seconds=seconds))


@pytest.fixture
def lost_post(database_queue, member, other_member, settings):
    """A follower, and a post whose fan-out task was lost, older than the grace period."""
    accounts.follow(other_member, member)
    post = services.create_post(member, "did this ever reach anyone?")
    DBTaskResult.objects.all().delete()
    age(post, settings.PARLEY_DISTRIBUTION_GRACE + 1)
    return post


def test_a_post_whose_fan_out_never_ran_is_requeued_and_reaches_followers(
    lost_post, other_member
):
    run_recovery(taskqueue.new_worker_id())  # one round of the worker's periodic loop
    assert [task.status for task in fan_out_tasks()] == [TaskResultStatus.READY]
    run_queue()
    assert [p.pk for p in timelines.home_timeline(other_member)] == [lost_post.pk]


def test_it_is_requeued_once_while_its_task_waits(lost_post):
    run_recovery(None)
    run_recovery(None)
    assert len(fan_out_tasks()) == 1


def test_a_post_within_the_grace_period_is_left_to_its_own_task(database_queue, member):
    post = services.create_post(member, "just posted")
    DBTaskResult.objects.all().delete()
    run_recovery(None)
    assert fan_out_tasks() == []
    assert Post.objects.get(pk=post.pk).distributed_at is None


def test_it_gives_up_after_the_configured_number_of_tasks(lost_post, settings):
    settings.PARLEY_DISTRIBUTION_MAX_TASKS = 2
    for _ in range(2):
        run_recovery(None)
        DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
    run_recovery(None)
    assert len(fan_out_tasks()) == 2
    assert Post.objects.get(pk=lost_post.pk).distributed_at is None


def test_a_post_a_moderator_released_is_not_screened_again(lost_post):
    released = Post.objects.get(pk=lost_post.pk).created_at
    Post.objects.filter(pk=lost_post.pk).update(state_changed_at=released)
    run_recovery(None)
    assert fan_out_tasks()[0].args_kwargs["args"] == [lost_post.pk, False]
