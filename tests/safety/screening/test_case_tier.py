"""For new posts the built-in inline model only holds; its cases are left to the accurate
tier, which screens every post before anyone sees it. Edits, which that tier does not see
again, keep the inline cases; account signals lower the bar in both tiers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from parley.posts import services as posts
from parley.posts.models import PostState
from parley.safety.model import inline_detector

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def detectors(settings):
    settings.PARLEY_BUILTIN_MODEL = False
    settings.PARLEY_EXTRA_DETECTORS = [
        "tests.safety.screening.fake_detectors.CaseDeferring",
        "tests.safety.screening.fake_detectors.AccurateBorderline",
    ]


@pytest.fixture
def veteran(make_member, followed_by):
    """An established account with a small audience (enough for a model case to open)."""
    return followed_by(make_member("veteran", date_joined=timezone.now() - timedelta(days=400)))


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """create_post, then its fan-out (the accurate tier) as after a real commit."""

    def published(author, text):
        with django_capture_on_commit_callbacks(execute=True):
            post = posts.create_post(author, text)
        post.refresh_from_db()
        return post

    return published


def test_the_shipped_inline_model_leaves_cases_to_the_accurate_tier():
    assert inline_detector().case_tier == "accurate"


def test_a_new_post_the_accurate_tier_clears_gets_no_case(veteran, publish, cases_about):
    post = publish(veteran, "wobblefrost at the match")
    assert post.state == PostState.PUBLISHED and post.distributed_at is not None
    assert cases_about(post=post) == []


def test_the_accurate_tier_opens_the_case(veteran, publish, cases_about):
    post = publish(veteran, "grumblewick at the match")
    assert post.state == PostState.PUBLISHED
    [case] = cases_about(post=post)
    assert case.category == "violence"
    assert "accurate_borderline" in case.screening[0]["reason"]


def test_the_inline_tier_still_holds(veteran, publish, cases_about):
    post = publish(veteran, "wobblefrost hold")
    assert post.state == PostState.HELD and post.distributed_at is None
    [case] = cases_about(post=post)
    assert "case_deferring" in case.screening[0]["reason"]


def test_an_edit_keeps_the_inline_case(veteran, publish, cases_about):
    post = publish(veteran, "a quiet morning")
    assert cases_about(post=post) == []
    posts.edit_post(veteran, post, text="wobblefrost at the match")
    [case] = cases_about(post=post)
    assert "case_deferring" in case.screening[0]["reason"]


def test_account_signals_lower_the_accurate_tiers_bar(make_member, veteran, publish,
                                                     cases_about):
    assert publish(veteran, "grumblewick is coming").state == PostState.PUBLISHED
    for n in range(2):  # most members joined long ago: a new account stands out
        make_member(f"old{n}", date_joined=veteran.date_joined)
    newcomer = make_member("newcomer")
    post = publish(newcomer, "grumblewick is coming")
    assert post.state == PostState.HELD  # 0.87 from the accurate tier, hold 0.90 - 0.05
    [case] = cases_about(post=post)
    assert "account signals: new account" in case.screening[0]["reason"]
