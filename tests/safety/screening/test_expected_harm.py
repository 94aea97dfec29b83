"""A model case opens only where it is worth a moderator's minute: expected harm (score x
expected reach) at the category's bar, within the review budget. A flagged post nobody is
likely to see is watched: it gets a case once it spreads or anyone reports it. Posts over the
hold threshold are held with a case at once, whatever their reach."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parley.accounts.services import follow
from parley.posts.models import PostState
from parley.safety.cases.jobs import run_periodic_jobs
from parley.safety.cases.models import WatchedPost

pytestmark = pytest.mark.django_db
# With violence's bar at 3: 0.6 x (1 + 4 followers) = 3.0 reaches it; 0.6 x (1 + 3) does not.


@pytest.fixture(autouse=True)
def likely_detector(settings):
    settings.PARLEY_BUILTIN_MODEL = False
    settings.PARLEY_EXTRA_DETECTORS = ["tests.safety.screening.fake_detectors.AccurateLikely"]
    settings.PARLEY_POLICY_OVERRIDES = json.dumps({"violence": {"case_harm": 3}})


def test_by_default_a_violent_post_nobody_follows_is_watched(settings, small, publish,
                                                             cases_about, old_member):
    settings.PARLEY_POLICY_OVERRIDES = ""
    alone = publish(small, "quillpike at the square")
    assert cases_about(post=alone) == [] and watch_of(alone).state == "watching"
    fan = old_member()
    follow(fan, small)  # one follower: 0.6 x 2 = 1.2 reaches the default bar of 1
    post = publish(small, "quillpike at the square again")
    assert len(cases_about(post=post)) == 1


@pytest.fixture
def old_member(make_member):
    def make(name=None):
        return make_member(name, date_joined=timezone.now() - timedelta(days=400))

    return make


@pytest.fixture
def small(old_member):
    return old_member("small")


def watch_of(post) -> WatchedPost | None:
    return WatchedPost.objects.filter(post=post).first()


def queue_page(moderator) -> str:
    client = Client()
    client.force_login(moderator)
    answer = client.get("/moderation/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_flagged_post_by_a_small_account_is_watched_not_queued(small, publish, cases_about,
                                                                 moderator, audit_events):
    post = publish(small, "quillpike at the square")
    assert post.state == PostState.PUBLISHED
    assert cases_about(post=post) == []
    watched = watch_of(post)
    assert (watched.state, watched.category, watched.score) == ("watching", "violence", 0.6)
    assert watched.expected_harm == pytest.approx(0.6)
    assert "screening.watched" in audit_events("screening.")
    page = queue_page(moderator)
    assert "0 of 200" in page
    assert "1 flagged post fell below the line" in page


def test_a_flagged_post_by_an_account_with_an_audience_opens_a_case_at_once(
        old_member, followed_by, publish, cases_about):
    post = publish(followed_by(old_member(), 4), "quillpike at the square")
    [case] = cases_about(post=post)
    assert case.category == "violence"
    assert case.expected_harm == pytest.approx(3.0)
    assert watch_of(post) is None


def test_each_category_is_weighed_against_its_own_bar(old_member, followed_by, publish,
                                                     cases_about):
    """Hate speech at 0.9 x 5 = 4.5 is under its bar of 15; violence at 0.6 x 5 = 3 is not."""
    post = publish(followed_by(old_member(), 4), "quillpike snarfblat")
    [case] = cases_about(post=post)
    assert case.category == "violence"
    assert case.confidence == pytest.approx(0.6)  # the violence score, which opened it
    assert case.screening[0]["scores"]["accurate_likely"]["illegal_or_harmful_speech"] == 0.9


def test_a_post_under_every_bar_is_watched_for_the_closest_category(small, publish):
    post = publish(small, "quillpike snarfblat")
    watched = watch_of(post)
    assert (watched.category, watched.score) == ("violence", 0.6)  # 0.6 / 3 > 0.9 / 15


def test_followers_only_posts_reach_fewer_people(old_member, followed_by, publish,
                                                 cases_about):
    post = publish(followed_by(old_member(), 4), "quillpike at the square",
                   visibility="private")
    assert cases_about(post=post) == []
    assert watch_of(post).expected_harm == pytest.approx(0.6 * 0.3 * 5)


def test_a_post_over_the_hold_threshold_is_held_with_a_case_whatever_its_reach(
        small, publish, cases_about):
    post = publish(small, "quillpike now at the square")
    assert post.state == PostState.HELD
    [case] = cases_about(post=post)
    assert case.category == "violence"
    assert watch_of(post) is None


def test_a_watched_post_opens_a_case_once_echoed_widely(small, old_member, followed_by,
                                                        publish, api_for, cases_about):
    post = publish(small, "quillpike at the square")
    loner = api_for(old_member(), "read write")
    assert loner.post(f"/api/v1/statuses/{post.pk}/reblog").status_code == 200
    assert cases_about(post=post) == []  # 0.6 x (1 + 1 echo) is still below the bar
    echoer = api_for(followed_by(old_member(), 5), "read write")
    assert echoer.post(f"/api/v1/statuses/{post.pk}/reblog").status_code == 200
    [case] = cases_about(post=post)
    assert case.category == "violence"
    assert case.expected_harm >= 3.0
    assert "spreading" in case.screening[0]["reason"]
    assert watch_of(post).state == "case_opened"


def test_a_watched_post_opens_a_case_when_liked_and_replied_to(small, old_member, publish,
                                                               api_for, cases_about):
    post = publish(small, "quillpike at the square")
    for _ in range(2):
        fan = api_for(old_member(), "read write")
        assert fan.post(f"/api/v1/statuses/{post.pk}/favourite").status_code == 200
    assert cases_about(post=post) == []  # 0.6 x (1 + 2 likes) = 1.8
    replier = api_for(old_member(), "read write")
    assert replier.post("/api/v1/statuses", {"status": "what?", "in_reply_to_id": post.pk},
                        format="json").status_code == 200
    [case] = cases_about(post=post)  # 0.6 x (1 + 2 + 2 x 1 reply) = 3.0
    assert case.category == "violence"


def test_a_report_on_a_watched_post_opens_a_case_with_the_models_evidence(
        small, other_member, publish, api_for, cases_about):
    post = publish(small, "quillpike at the square")
    reporter = api_for(other_member, "read write")
    answer = reporter.post("/api/v1/reports", {"account_id": small.pk, "status_ids": [post.pk],
                                               "category": "violation"}, format="json")
    assert answer.status_code == 200
    [case] = cases_about(post=post)
    assert case.category == "violence"  # the model's category, not the report's "other"
    assert case.deadline <= timezone.now() + timedelta(hours=1)
    assert case.screening[0]["reason"] == watch_of(post).reason
    assert case.confidence == pytest.approx(0.6)
    assert watch_of(post).state == "reported"
    assert case.expected_harm is None  # a reported case does not use the model budget


def test_the_periodic_job_opens_a_case_when_a_watched_posts_audience_grows(
        small, old_member, publish, cases_about):
    post = publish(small, "quillpike at the square")
    assert run_periodic_jobs().spread == 0
    for _ in range(4):
        follow(old_member(), small)
    assert run_periodic_jobs().spread == 1
    [case] = cases_about(post=post)
    assert case.category == "violence"
    assert run_periodic_jobs().spread == 0  # idempotent


def test_a_full_review_budget_raises_the_bar(settings, old_member, followed_by, publish,
                                             cases_about, moderator):
    settings.PARLEY_REVIEW_BUDGET = "2"
    for _ in range(2):
        post = publish(followed_by(old_member(), 4), "quillpike at the square")
        assert len(cases_about(post=post)) == 1
    tied = publish(followed_by(old_member(), 4), "quillpike at the square")
    assert cases_about(post=tied) == []  # the same expected harm as the cases already in
    assert watch_of(tied).expected_harm == pytest.approx(3.0)
    louder = publish(followed_by(old_member(), 10), "quillpike at the square")
    [case] = cases_about(post=louder)  # outranks today's cases
    assert case.expected_harm == pytest.approx(0.6 * 11)
    page = queue_page(moderator)
    assert "3 of 2" in page and "full" in page
    assert "1 flagged post fell below the line" in page


def test_the_budget_counts_only_the_last_24_hours(settings, old_member, followed_by, publish,
                                                  cases_about):
    settings.PARLEY_REVIEW_BUDGET = "1"
    first = publish(followed_by(old_member(), 4), "quillpike at the square")
    [case] = cases_about(post=first)
    case.opened_at = timezone.now() - timedelta(hours=25)
    case.save(update_fields=["opened_at"])
    second = publish(followed_by(old_member(), 4), "quillpike at the square")
    assert len(cases_about(post=second)) == 1


def test_a_typo_in_the_budget_falls_back_to_the_default(settings, moderator, caplog):
    settings.PARLEY_REVIEW_BUDGET = "lots"
    assert "0 of 200" in queue_page(moderator)
    assert "PARLEY_REVIEW_BUDGET='lots'" in caplog.text
