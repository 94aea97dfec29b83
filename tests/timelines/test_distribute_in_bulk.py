"""Posts fanned out in bulk (the load bench's seeded community): each still goes through
`create_post`, its fan-out is held back, then `distribute_in_bulk` screens them in batches
with the accurate tier and distributes them. What a follower sees is what the one-by-one
fan-out would show: benign posts in home, a violent one held for its author with a case."""

from __future__ import annotations

import pytest

from parley.accounts import services as accounts
from parley.core.loadbench.seed import seed_community
from parley.posts import services as posts
from parley.posts.models import Post, PostState
from parley.safety.cases.models import Case
from parley.timelines import services as timelines

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def accurate_detector(settings):
    """An accurate-tier detector that is sure about one word ("spoonbender")."""
    settings.PARLEY_BUILTIN_MODEL = False
    settings.PARLEY_EXTRA_DETECTORS = ["tests.safety.screening.fake_detectors.AccurateViolence"]


def _seed(author, texts, capture) -> tuple[list[Post], list[int]]:
    with timelines.fan_outs_held() as held, capture(execute=True):
        made = [posts.create_post(author, text) for text in texts]
    return made, held


def test_bulk_seeded_posts_reach_followers_and_the_violent_one_is_held(
        make_member, api_for, django_capture_on_commit_callbacks):
    author, follower = make_member("author"), make_member("follower")
    accounts.follow_many([(follower.pk, author.pk)])
    texts = [f"market day number {i} #bread" for i in range(5)] + ["a spoonbender threat"]

    made, held = _seed(author, texts, django_capture_on_commit_callbacks)

    # No task ran (the test queue runs tasks at once): nobody sees them yet.
    assert sorted(held) == sorted(p.pk for p in made)
    assert api_for(follower).get("/api/v1/timelines/home").json() == []
    assert timelines.distribute_in_bulk(held) == {"distributed": 5, "held": 1, "skipped": 0}

    home = api_for(follower).get("/api/v1/timelines/home").json()
    assert [s["id"] for s in home] == [str(p.pk) for p in reversed(made[:5])]
    assert home[0]["content"].startswith("<p>market day number 4 ")
    assert [t["name"] for t in home[0]["tags"]] == ["bread"]
    violent = made[-1]
    assert api_for(follower).get(f"/api/v1/statuses/{violent.pk}").status_code == 404
    assert api_for(author).get(f"/api/v1/statuses/{violent.pk}").status_code == 200
    violent.refresh_from_db()
    assert violent.state == PostState.HELD and violent.distributed_at is None
    [case] = Case.objects.filter(post=violent)
    assert case.category == "violence"
    assert "accurate_violence" in case.screening[0]["reason"]


def test_distributing_in_bulk_twice_changes_nothing(make_member, api_for,
                                                   django_capture_on_commit_callbacks):
    author, follower = make_member("author"), make_member("follower")
    accounts.follow_many([(follower.pk, author.pk)])
    _, held = _seed(author, ["one", "two a spoonbender"], django_capture_on_commit_callbacks)
    timelines.distribute_in_bulk(held)

    assert timelines.distribute_in_bulk(held) == {"distributed": 0, "held": 0, "skipped": 2}
    assert Case.objects.count() == 1
    assert [s["content"] for s in api_for(follower).get("/api/v1/timelines/home").json()] == [
        "<p>one</p>"]


def test_a_failing_detector_in_bulk_publishes_and_opens_a_case_for_each_post(
        settings, make_member, api_for, django_capture_on_commit_callbacks):
    settings.PARLEY_EXTRA_DETECTORS = [
        "tests.safety.screening.fake_detectors.ExplodingAccurate"]
    author, follower = make_member("author"), make_member("follower")
    accounts.follow_many([(follower.pk, author.pk)])
    made, held = _seed(author, ["first", "second"], django_capture_on_commit_callbacks)

    assert timelines.distribute_in_bulk(held) == {"distributed": 2, "held": 0, "skipped": 0}

    home = api_for(follower).get("/api/v1/timelines/home").json()
    assert [s["id"] for s in home] == [str(made[1].pk), str(made[0].pk)]
    for post in made:
        [case] = Case.objects.filter(post=post)
        assert "exploding_accurate: RuntimeError" in case.screening[0]["reason"]


@pytest.mark.django_db(transaction=True)
def test_the_seeded_community_is_distributed_without_a_worker():
    community = seed_community({"prefix": "bk_", "members": 30, "posts": 40, "seed": 3},
                               lambda *_: None)

    seeded = Post.objects.filter(author__username__startswith="bk_")
    assert seeded.count() == community["posts"] == 40
    assert not seeded.filter(state=PostState.PUBLISHED, distributed_at__isnull=True).exists()
    assert community["timings"]["fanout_in_bulk_s"] > 0
