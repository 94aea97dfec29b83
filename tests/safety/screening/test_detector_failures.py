"""A failing or slow detector never blocks posting; heavier tiers can hold or open cases."""

import logging
import time

import pytest
from rest_framework.test import APIClient

from parley.posts import services as posts
from parley.posts.models import PostState
from parley.timelines import selectors as timelines
from tests.safety.screening.fake_detectors import Sleepy

pytestmark = pytest.mark.django_db(transaction=True)
FAKES = "tests.safety.screening.fake_detectors"


def _failed_detectors(case) -> set[str]:
    return {name for entry in case.screening for name in entry["failed_detectors"]}


def test_a_crashing_detector_publishes_the_post_and_opens_a_case(
    member, settings, caplog, cases_about
):
    settings.PARLEY_EXTRA_DETECTORS = [f"{FAKES}.Exploding"]

    with caplog.at_level(logging.ERROR, logger="parley.safety.screening.pipeline"):
        post = posts.create_post(member, "an ordinary post about gardening")

    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert post.distributed_at is not None
    assert APIClient().get(f"/api/v1/statuses/{post.pk}").status_code == 200
    [case] = cases_about(post=post)
    assert "exploding" in _failed_detectors(case)
    assert any("detector exploding failed" in r.getMessage() for r in caplog.records)


def test_a_slow_detector_counts_as_failed_after_its_budget(member, settings, cases_about):
    settings.PARLEY_EXTRA_DETECTORS = [f"{FAKES}.Sleepy"]
    Sleepy.finished.clear()
    try:
        started = time.monotonic()
        post = posts.create_post(member, "another ordinary post about gardening")
        took = time.monotonic() - started
    finally:
        Sleepy.finished.set()

    assert took < 2.5  # the detector alone would have taken 3 seconds
    assert post.state == PostState.PUBLISHED
    [case] = cases_about(post=post)
    assert "sleepy" in _failed_detectors(case)
    assert "timed out" in str(case.screening)


def test_a_detector_that_cannot_be_loaded_counts_as_failed(member, settings, cases_about):
    settings.PARLEY_EXTRA_DETECTORS = ["tests.safety.screening.no_such_module.Detector"]

    post = posts.create_post(member, "a post while the operator mistyped a setting")

    assert post.state == PostState.PUBLISHED
    [case] = cases_about(post=post)
    assert "tests.safety.screening.no_such_module.Detector" in _failed_detectors(case)


def test_the_accurate_tier_holds_before_anyone_sees_the_post(
    member, other_member, settings, cases_about
):
    from parley.accounts import services as accounts

    accounts.follow(other_member, member)
    settings.PARLEY_EXTRA_DETECTORS = [f"{FAKES}.AccurateViolence"]

    post = posts.create_post(member, "The spoonbender club meets on Tuesday at the library")

    post.refresh_from_db()
    assert post.state == PostState.HELD
    assert post.distributed_at is None
    assert list(timelines.home_timeline(other_member)) == []
    [case] = cases_about(post=post)
    assert [e["tier"] for e in case.screening if e["category"] == "violence"] == ["accurate"]


def test_background_detectors_open_a_case_but_never_hold(member, settings, cases_about):
    settings.PARLEY_BACKGROUND_DETECTORS = [f"{FAKES}.BackgroundViolence"]

    flagged = posts.create_post(member, "I will spoonbender you all")
    innocent = posts.create_post(member, "I will garden all day")

    flagged.refresh_from_db()
    assert flagged.state == PostState.PUBLISHED
    assert flagged.distributed_at is not None
    [case] = cases_about(post=flagged)
    entry = next(e for e in case.screening if e["tier"] == "background")
    assert entry["category"] == "violence"
    assert entry["outcome"] == "case"
    assert not any(e["tier"] == "background" for c in cases_about(post=innocent)
                   for e in c.screening)


def test_operators_can_switch_the_built_in_model_off(member, settings, cases_about):
    threat = "I am going to shoot you tomorrow, we know where you live"
    flagged = posts.create_post(member, threat)
    assert [c.category for c in cases_about(post=flagged)] == ["violence"]

    settings.PARLEY_BUILTIN_MODEL = False
    published = posts.create_post(member, threat + " again")
    published.refresh_from_db()
    assert published.state == PostState.PUBLISHED
    assert cases_about(post=published) == []


def test_warm_up_loads_every_detector_and_survives_a_broken_one(settings):
    from parley.safety.screening import pipeline

    settings.PARLEY_EXTRA_DETECTORS = [f"{FAKES}.Exploding"]
    inline = pipeline.warm_up(("inline",))
    both = pipeline.warm_up()
    assert both > inline > 0  # the model's accurate tier is loaded too
    assert len(pipeline.inline_detectors()) == inline + 1  # all but the exploding one
