"""A post the accurate tier has not seen yet (its fan-out has not run: the worker is down) is
seen by its author only, marked pending; everyone else gets a 404 and finds it nowhere."""

from __future__ import annotations

import pytest
from django.test import Client

from parley.accounts import services as accounts
from parley.posts import services
from parley.posts.models import Post
from parley.timelines.tasks import distribute_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_down(settings):
    """The real database queue, with no worker running: fan-out tasks wait in the queue."""
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }


@pytest.fixture
def pending(worker_down, member, other_member) -> Post:
    accounts.follow(other_member, member)
    root = services.create_post(member, "a thread starts #parley")
    Post.objects.filter(pk=root.pk).update(distributed_at=root.created_at)
    post = services.create_post(member, "waiting for screening #parley", in_reply_to=root)
    assert Post.objects.get(pk=post.pk).distributed_at is None
    return post


def ids(response) -> list[str]:
    return [status["id"] for status in response.json()]


def test_others_get_a_404_by_id_and_the_author_sees_it_pending(
    pending, member, other_member, make_member, api_for
):
    for viewer in (api_for(other_member), api_for(make_member()), Client()):
        response = viewer.get(f"/api/v1/statuses/{pending.pk}")
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}
    own = api_for(member).get(f"/api/v1/statuses/{pending.pk}")
    assert own.status_code == 200
    assert own.json()["parley"]["distributed"] is False


def test_it_is_absent_from_the_authors_profile_thread_timelines_and_search_for_others(
    pending, member, other_member, api_for
):
    follower = api_for(other_member)
    anonymous = Client()
    post_id = str(pending.pk)
    assert post_id not in ids(follower.get(f"/api/v1/accounts/{member.pk}/statuses"))
    assert post_id not in ids(anonymous.get(f"/api/v1/accounts/{member.pk}/statuses"))
    context = follower.get(f"/api/v1/statuses/{pending.in_reply_to_id}/context").json()
    assert post_id not in [s["id"] for s in context["descendants"]]
    assert post_id not in ids(follower.get("/api/v1/timelines/home"))
    assert post_id not in ids(anonymous.get("/api/v1/timelines/public"))
    assert post_id not in ids(anonymous.get("/api/v1/timelines/tag/parley"))
    found = follower.get("/api/v2/search", {"q": "screening", "type": "statuses"}).json()
    assert found["statuses"] == []
    assert post_id in ids(api_for(member).get(f"/api/v1/accounts/{member.pk}/statuses"))


def test_the_web_pages_hide_it_from_others_and_mark_it_pending_for_the_author(
    pending, member, other_member
):
    page = f"/@{member.username}/{pending.pk}"
    follower = Client()
    follower.force_login(other_member)
    assert follower.get(page).status_code == 404
    assert Client().get(page).status_code == 404
    assert "waiting for screening" not in follower.get(f"/@{member.username}").content.decode()
    assert "waiting for screening" not in Client().get(f"/@{member.username}").content.decode()
    author = Client()
    author.force_login(member)
    own_page = author.get(page).content.decode()
    assert "waiting for screening" in own_page and "Pending — being checked" in own_page


def test_once_the_fan_out_runs_everyone_who_may_see_it_does(
    pending, member, other_member, api_for
):
    assert distribute_post.call(pending.pk, True) == "distributed"
    follower = api_for(other_member)
    assert follower.get(f"/api/v1/statuses/{pending.pk}").status_code == 200
    assert str(pending.pk) in ids(follower.get("/api/v1/timelines/home"))
    assert str(pending.pk) in ids(Client().get(f"/api/v1/accounts/{member.pk}/statuses"))
