"""Account signals lower the bar: a score just under the hold threshold holds the post of a
new account, a repeat offender, a flood of posts, or a threat aimed at a named person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from parley.accounts.services import follow
from parley.posts import services as posts
from parley.posts.models import PostState
from parley.safety.cases import services as cases
from parley.safety.cases.actions import take_action

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def borderline_detector(settings):
    settings.PARLEY_EXTRA_DETECTORS = ["tests.safety.screening.fake_detectors.Borderline"]


@pytest.fixture
def veteran(make_member, followed_by):
    """An established account with a small audience (enough for a model case to open)."""
    return followed_by(make_member("veteran", date_joined=timezone.now() - timedelta(days=400)))


def state_of(post) -> str:
    post.refresh_from_db()
    return post.state


def test_an_established_account_is_not_held_below_the_threshold(veteran, cases_about):
    post = posts.create_post(veteran, "grumblewick is coming")
    assert state_of(post) == PostState.PUBLISHED
    [case] = cases_about(post=post)  # still above the case threshold
    assert case.category == "violence"


@pytest.fixture
def settled_instance(make_member):
    """Most members joined long ago: a new account stands out."""
    for n in range(3):
        make_member(f"old{n}", date_joined=timezone.now() - timedelta(days=400))


def test_a_new_account_is_held_just_below_the_threshold(settled_instance, make_member,
                                                        cases_about):
    newcomer = make_member("newcomer")
    post = posts.create_post(newcomer, "grumblewick is coming")
    assert state_of(post) == PostState.HELD
    [case] = cases_about(post=post)
    assert "account signals: new account" in case.screening[0]["reason"]


def test_a_threat_naming_a_person_is_held(veteran, make_member, cases_about):
    make_member("target")
    post = posts.create_post(veteran, "grumblewick is coming for you @target")
    assert state_of(post) == PostState.HELD
    assert "mentions a person" in cases_about(post=post)[0].screening[0]["reason"]


def test_naming_a_person_does_not_lower_the_bar_outside_threats(veteran, make_member):
    make_member("target")
    post = posts.create_post(veteran, "snarfblat @target")
    assert state_of(post) == PostState.PUBLISHED


def test_prior_strikes_lower_the_bar(veteran, moderator, make_member):
    earlier = posts.create_post(veteran, "an old rude post")
    case = cases.file_member_report(make_member(), veteran, [earlier], "violation").case
    take_action(case, moderator, "strike", reason="rude")
    post = posts.create_post(veteran, "grumblewick is coming")
    assert state_of(post) == PostState.HELD


def test_a_burst_of_posts_lowers_the_bar(veteran):
    for n in range(20):
        posts.create_post(veteran, f"hello number {n}")
    post = posts.create_post(veteran, "grumblewick is coming")
    assert state_of(post) == PostState.HELD


def test_ordinary_posts_cost_no_signal_queries(veteran, django_assert_max_num_queries):
    posts.create_post(veteran, "warming up the caches")
    with django_assert_max_num_queries(30) as counted:
        posts.create_post(veteran, "a plain post about the weather")
    assert not any("cases_strike" in q["sql"]
                   for q in counted.captured_queries)


def test_on_a_new_instance_new_members_are_not_held_below_the_threshold(make_member,
                                                                       cases_about):
    """Every member of a new instance is new: the signal would lower everyone's bar."""
    founders = [make_member(f"founder{n}") for n in range(6)]
    for founder in founders[1:]:
        follow(founder, founders[0])
    post = posts.create_post(founders[0], "grumblewick is coming")
    assert state_of(post) == PostState.PUBLISHED
    [case] = cases_about(post=post)  # the score still opens a case for a moderator
    assert "new account" not in case.screening[0]["reason"]


def test_during_a_wave_of_sign_ups_the_new_account_signal_waits(settled_instance, make_member):
    """A migration wave: once most members are new, being new says nothing."""
    wave = [make_member(f"arrival{n}") for n in range(4)]
    post = posts.create_post(wave[0], "grumblewick is coming")
    assert state_of(post) == PostState.PUBLISHED


def test_the_median_join_date_is_read_once_per_ten_minutes(settled_instance, make_member,
                                                           django_assert_max_num_queries):
    newcomer = make_member("newcomer")
    posts.create_post(newcomer, "grumblewick is coming")
    with django_assert_max_num_queries(60) as counted:
        posts.create_post(newcomer, "grumblewick is coming again")
    assert not any("date_joined" in q["sql"] and "ORDER BY" in q["sql"]
                   for q in counted.captured_queries)
