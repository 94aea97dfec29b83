"""Copies of removed posts are held with the removal's category and name the original."""

import pytest

from parley.posts import services as posts
from parley.posts.models import PostState
from parley.safety.screening import detectors
from parley.safety.screening import services as screening
from parley.safety.screening.selectors import near_duplicates_of

pytestmark = pytest.mark.django_db(transaction=True)
ORIGINAL = "Everyone meet at the town square tomorrow and beat the marchers until they stop"


@pytest.fixture
def removed(member):
    post = posts.create_post(member, ORIGINAL)
    posts.transition_post(post, PostState.REMOVED)
    screening.index_removed_post(post, "violence")
    return post


@pytest.mark.parametrize("copy", [
    ORIGINAL,
    ORIGINAL.upper() + " !!!",
    "Everyone meet at the t0wn square tomorrow and beat the marchers till they stop",
    "RT " + ORIGINAL + " #now",
])
def test_a_copy_of_a_removed_post_is_held_with_evidence(removed, other_member, cases_about,
                                                        copy):
    post = posts.create_post(other_member, copy)

    assert post.state == PostState.HELD
    [case] = cases_about(post=post)
    assert case.category == "violence"
    evidence = str([entry["evidence"] for entry in case.screening])
    assert f"copies removed post #{removed.pk}" in evidence


def test_different_text_on_the_same_topic_is_published(removed, other_member):
    post = posts.create_post(other_member,
                             "The town square market tomorrow has bread; the marchers are calm")
    assert post.state == PostState.PUBLISHED


def test_restoring_the_original_stops_holding_copies(removed, other_member):
    posts.transition_post(removed, PostState.PUBLISHED)
    screening.forget_removed_post(removed)

    assert posts.create_post(other_member, ORIGINAL).state == PostState.PUBLISHED


def test_the_index_is_rebuilt_from_the_database(removed):
    """A new process (or one that missed the change) loads the fingerprints from the table."""
    fresh = detectors._load_removed(None)
    detector = detectors.NearDuplicatesDetector(fresh, threshold=0.75)

    result = detector.score(ORIGINAL + " again")

    assert result.actions == {"violence": "hold"}


def test_near_duplicates_of_finds_copies_in_any_state(removed, member, other_member,
                                                      make_member):
    first_copy = posts.create_post(make_member(), "Everyone meet at the town square "
                                     "tomorrow and beat the marchers until they stop, ok")
    unrelated = posts.create_post(other_member, "Meet me at the town square for coffee")
    later_copy = posts.create_post(other_member, ORIGINAL + "!")

    found = near_duplicates_of(removed)

    assert first_copy.state == PostState.HELD and later_copy.state == PostState.HELD
    assert [p.pk for p in found] == [first_copy.pk, later_copy.pk]
    assert unrelated not in near_duplicates_of(removed, threshold=0.3)
    assert near_duplicates_of(posts.create_post(member, "short")) == []
