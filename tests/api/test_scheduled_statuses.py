"""Scheduled statuses: ``scheduled_at`` stores a post for later; the worker's periodic job
publishes it through ``create_post`` (screened like any post), exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from parley.posts import scheduled
from parley.posts.models import Post, PostState, ScheduledStatus
from parley.posts.services import create_post
from parley.safety.cases.models import Case
from parley.safety.screening import services as screening

pytestmark = pytest.mark.django_db
THREAT = "I am going to kill you, I know where you live"


def _later(minutes: int = 60) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def _schedule(client, text="see you later", minutes=60, **extra):
    body = {"status": text, "scheduled_at": _later(minutes), **extra}
    return client.post("/api/v1/statuses", body, format="json")


def _after(minutes: int = 61):
    return timezone.now() + timedelta(minutes=minutes)


def test_scheduling_answers_the_scheduled_status_and_posts_nothing_yet(member, api_for):
    response = _schedule(api_for(member), visibility="unlisted", spoiler_text="cw")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"id", "scheduled_at", "params", "media_attachments"}
    assert body["scheduled_at"].endswith("Z")
    assert body["params"]["text"] == "see you later"
    assert body["params"]["visibility"] == "unlisted"
    assert body["params"]["spoiler_text"] == "cw"
    assert body["params"]["poll"] is None and body["media_attachments"] == []
    assert not Post.objects.exists()


def test_list_read_reschedule_and_cancel(member, api_for):
    client = api_for(member)
    first = _schedule(client, "one").json()
    second = _schedule(client, "two", minutes=120).json()
    listed = client.get("/api/v1/scheduled_statuses")
    assert [s["id"] for s in listed.json()] == [second["id"], first["id"]]
    page = client.get("/api/v1/scheduled_statuses", {"limit": 1})
    assert [s["id"] for s in page.json()] == [second["id"]]
    assert f"max_id={second['id']}" in page["Link"]

    one = client.get(f"/api/v1/scheduled_statuses/{first['id']}")
    assert one.json()["params"]["text"] == "one"
    moved = client.put(f"/api/v1/scheduled_statuses/{first['id']}",
                       {"scheduled_at": _later(300)}, format="json")
    assert moved.status_code == 200
    assert moved.json()["scheduled_at"] > first["scheduled_at"]

    gone = client.delete(f"/api/v1/scheduled_statuses/{first['id']}")
    assert gone.status_code == 200 and gone.json() == {}
    assert client.get(f"/api/v1/scheduled_statuses/{first['id']}").status_code == 404
    assert [s["id"] for s in client.get("/api/v1/scheduled_statuses").json()] == [second["id"]]


def test_another_members_scheduled_status_is_a_404(member, other_member, api_for):
    mine = _schedule(api_for(member)).json()
    theirs = api_for(other_member)
    assert theirs.get("/api/v1/scheduled_statuses").json() == []
    for method in ("get", "put", "delete"):
        response = getattr(theirs, method)(f"/api/v1/scheduled_statuses/{mine['id']}",
                                           {"scheduled_at": _later(90)}, format="json")
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}
    assert ScheduledStatus.objects.get().scheduled_at.isoformat()[:16] == mine[
        "scheduled_at"][:16]


def test_scopes_as_mastodon(member, api_for):
    assert _schedule(api_for(member, "read")).status_code == 403
    assert api_for(member, "write").get("/api/v1/scheduled_statuses").status_code == 403
    assert api_for(member, "read:statuses").get("/api/v1/scheduled_statuses").status_code == 200
    assert _schedule(api_for(member, "write:statuses")).status_code == 200
    from rest_framework.test import APIClient
    assert APIClient().get("/api/v1/scheduled_statuses").status_code == 401


@pytest.mark.parametrize("when, word", [
    ("in a bit", "ISO 8601"),
    ("2030-13-45T00:00:00Z", "ISO 8601"),
    (None, "must be in the future"),  # 2 minutes ahead: under Mastodon's 5
])
def test_bad_or_too_soon_times_are_refused(when, word, member, api_for):
    when = when or _later(2)
    response = api_for(member).post("/api/v1/statuses", {"status": "x", "scheduled_at": when},
                                    format="json")
    assert response.status_code == 422
    assert word in response.json()["error"]
    assert not ScheduledStatus.objects.exists() and not Post.objects.exists()


def test_rescheduling_too_soon_is_refused(member, api_for):
    client = api_for(member)
    item = _schedule(client).json()
    response = client.put(f"/api/v1/scheduled_statuses/{item['id']}",
                          {"scheduled_at": _later(1)}, format="json")
    assert response.status_code == 422
    assert "must be in the future" in response.json()["error"]
    blank = client.put(f"/api/v1/scheduled_statuses/{item['id']}", {}, format="json")
    assert blank.status_code == 422


def test_a_time_in_the_past_posts_at_once_as_mastodon(member, api_for):
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    response = api_for(member).post("/api/v1/statuses", {"status": "now", "scheduled_at": past},
                                    format="json")
    assert response.status_code == 200
    assert response.json()["content"] == "<p>now</p>"
    assert not ScheduledStatus.objects.exists()


def test_what_create_post_refuses_is_refused_when_scheduling(member, api_for):
    client = api_for(member)
    assert _schedule(client, "").status_code == 422  # blank
    assert _schedule(client, "x", visibility="secret").status_code == 422
    assert _schedule(client, "x", media_ids=["999"]).status_code == 422
    assert _schedule(client, "x", poll={"options": ["one"], "expires_in": 3600}).status_code == 422
    assert not ScheduledStatus.objects.exists()


def test_the_periodic_job_publishes_due_posts_once(member, other_member, api_for):
    client = api_for(member)
    _schedule(client, "hello later", poll={"options": ["yes", "no"], "expires_in": 3600})
    assert scheduled.publish_due() == 0  # not due yet
    assert scheduled.publish_due(_after()) == 1
    assert scheduled.publish_due(_after()) == 0  # a second run (another worker): nothing
    post = Post.objects.get()
    assert post.text == "hello later" and post.state == PostState.PUBLISHED
    assert list(post.poll.options) == ["yes", "no"]
    assert client.get("/api/v1/scheduled_statuses").json() == []
    mine = client.get(f"/api/v1/accounts/{member.pk}/statuses").json()
    assert [s["id"] for s in mine] == [str(post.pk)]


def test_a_scheduled_post_is_screened_when_published(member, other_member, api_for):
    screening.add_rule("gloop the council", action="hold", category="violence")
    _schedule(api_for(member), THREAT)
    _schedule(api_for(member), "time to gloop the council", minutes=65)
    assert scheduled.publish_due(_after(70)) == 2
    threat, post = Post.objects.order_by("pk")
    assert Case.objects.filter(post=threat).exists()  # the model's threat: a person decides
    assert post.state == PostState.HELD  # the operator's hold rule
    assert api_for(other_member).get(f"/api/v1/statuses/{post.pk}").status_code == 404


def test_a_crash_mid_publish_neither_loses_nor_doubles_it(member, api_for, monkeypatch):
    _schedule(api_for(member), "survives a crash")

    def crash(self, *args, **kwargs):
        raise RuntimeError("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr(ScheduledStatus, "delete", crash)
        assert scheduled.publish_due(_after()) == 0
    assert not Post.objects.exists()  # rolled back with the crash: not posted half-way
    assert ScheduledStatus.objects.count() == 1  # and not lost
    assert scheduled.publish_due(_after()) == 1
    assert Post.objects.filter(text="survives a crash").count() == 1


def test_a_post_already_made_for_it_is_not_made_again(member, api_for):
    item = _schedule(api_for(member), "once").json()
    # As if a run had posted it and its row survived: the idempotency key finds the post.
    create_post(member, "once", idempotency_key=f"scheduled:{item['id']}")
    assert scheduled.publish_due(_after()) == 1
    assert Post.objects.filter(text="once").count() == 1
    assert not ScheduledStatus.objects.exists()


def test_a_suspended_authors_scheduled_post_is_dropped(member, api_for):
    _schedule(api_for(member), "never")
    member.suspended_at = timezone.now()
    member.save()
    assert scheduled.publish_due(_after()) == 0
    assert not Post.objects.exists() and not ScheduledStatus.objects.exists()


def test_idempotency_key_returns_the_same_scheduled_status(member, api_for):
    client = api_for(member)
    body = {"status": "once", "scheduled_at": _later()}
    first = client.post("/api/v1/statuses", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/v1/statuses", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.json()["id"] == again.json()["id"]
    assert ScheduledStatus.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_job_loop_publishes_due_posts(member):
    import threading
    import time

    from parley.core.management.commands.worker import run_jobs_forever

    item = scheduled.schedule_post(member, timezone.now() + timedelta(minutes=10), "from the loop")
    ScheduledStatus.objects.filter(pk=item.pk).update(
        scheduled_at=timezone.now() - timedelta(seconds=1))
    stop = threading.Event()
    loop = threading.Thread(target=run_jobs_forever, args=(0.1, stop), daemon=True)
    loop.start()
    try:
        deadline = time.monotonic() + 20
        while not Post.objects.filter(text="from the loop").exists():
            assert time.monotonic() < deadline, "the worker did not publish it"
            time.sleep(0.1)
    finally:
        stop.set()
        loop.join(10)
    assert Post.objects.filter(text="from the loop").count() == 1
    assert not ScheduledStatus.objects.exists()


def test_a_scheduled_quote_is_published_quoting_its_post(member, other_member, api_for,
                                                         publish):
    quoted = publish(other_member, "The river is high this spring")
    client = api_for(member)
    response = _schedule(client, "look at this", quoted_status_id=str(quoted.pk),
                         quote_approval_policy="followers")
    assert response.status_code == 200, response.json()
    params = response.json()["params"]
    assert params["quoted_status_id"] == str(quoted.pk)
    assert params["quote_approval_policy"] == "followers"
    assert not Post.objects.filter(author=member).exists()

    assert scheduled.publish_due(_after()) == 1
    post = Post.objects.get(author=member)
    status = client.get(f"/api/v1/statuses/{post.pk}").json()
    assert status["quote"]["state"] == "accepted"
    assert status["quote"]["quoted_status"]["id"] == str(quoted.pk)
    assert status["quote_approval"]["automatic"] == ["followers"]


def test_a_quote_that_could_not_be_posted_cannot_be_scheduled(member, other_member,
                                                              api_for, publish):
    private = publish(other_member, "followers only", visibility="private")
    client = api_for(member)
    assert _schedule(client, "x", quoted_status_id=str(private.pk)).status_code == 404
    public = publish(other_member, "anyone may read")
    assert _schedule(client, "x", quoted_status_id="999999").status_code == 404
    bad_policy = _schedule(client, "x", quoted_status_id=str(public.pk),
                           quote_approval_policy="everyone")
    assert bad_policy.status_code == 422
    assert not ScheduledStatus.objects.exists()


def test_a_scheduled_quote_of_a_post_held_since_goes_out_without_it(member, other_member,
                                                                     api_for, publish):
    quoted = publish(other_member, "a post soon under review")
    client = api_for(member)
    assert _schedule(client, "quoting it", quoted_status_id=str(quoted.pk)).status_code == 200
    from parley.posts import services as post_services

    post_services.transition_post(quoted, PostState.HELD)
    assert scheduled.publish_due(_after()) == 1
    post = Post.objects.get(author=member)
    assert post.quote_of_id is None
    status = client.get(f"/api/v1/statuses/{post.pk}").json()
    assert status["quote"] is None and "soon under review" not in str(status)
