"""A policy change can never stop posting: bad values are refused with 422 before anything is
saved, and a bad value stored anyway (a hand edit, an old row, the settings) falls back to
the default with a warning."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from parley.posts.models import Post, PostState
from parley.safety import policy
from parley.safety.models import AuditEntry, PolicyOverride
from parley.safety.screening import snapshots
from tests.safety.screening.fake_detectors import AccurateViolence

pytestmark = pytest.mark.django_db
ADMIN = "read write admin:read admin:write"
POLICY_URL = "/api/parley/v1/policy"


@pytest.fixture
def admin_api(api_for, admin_user):
    return api_for(admin_user, ADMIN)


@pytest.fixture
def author_api(api_for, member):
    return api_for(member, "read write")


class InlineViolence(AccurateViolence):
    """An inline detector sure that one word is violence, so that a post is held at once."""

    name = "inline_violence"
    tier = "inline"


@pytest.fixture
def spoonbender(settings):
    settings.PARLEY_EXTRA_DETECTORS = [f"{__name__}.InlineViolence"]


def post_status(api, text: str = "An ordinary day in the garden"):
    return api.post("/api/v1/statuses", {"status": text}, format="json")


@pytest.mark.parametrize("change, says", [
    ({"violence": {"deadline_hours": 1e308}}, "deadline_hours must be hours to review"),
    ({"violence": {"deadline_hours": 100000000}}, "at most 8760"),
    ({"violence": {"deadline_hours": 0}}, "above 0"),
    ({"violence": {"deadline_hours": True}}, "deadline_hours"),
    ({"violence": {"hold": 1.5}}, "hold must be a score between 0 and 1"),
    ({"violence": {"hold": True}}, "hold must be"),
    ({"violence": {"case": 0.95}}, "must not be above the hold threshold"),
    ({"violence": {"hold": 0.4}}, "must not be above the hold threshold"),
    ({"violence": {"strikes": 2.5}}, "strikes"),
    ({"violence": {"case_harm": -1}}, "case_harm must be an expected harm"),
    ({"violence": {"case_harm": 2e6}}, "from 0 to 1e+06"),
    ({"violence": {"case_harm": "high"}}, "case_harm must be"),
    ({"violence": {"case_harm": True}}, "case_harm must be"),
    ({"violence": {"severity": "apocalyptic"}}, "severity must be one of"),
    ({"violence": {"colour": "red"}}, "cannot be changed"),
    ({"violins": {"hold": 0.5}}, "Unknown category"),
    ({"violence": "loud"}, "must map to an object"),
    ({"violence": {}}, "Nothing to change"),
    ([1, 2], "Send"),
])
def test_bad_policy_values_are_refused_and_nothing_is_saved(admin_api, author_api, change,
                                                            says):
    before = admin_api.get(POLICY_URL).json()
    answer = admin_api.patch(POLICY_URL, change, format="json")
    assert answer.status_code == 422
    assert says in answer.json()["error"]
    assert not PolicyOverride.objects.exists()
    assert not AuditEntry.objects.filter(event="policy.changed").exists()
    assert admin_api.get(POLICY_URL).json() == before
    assert post_status(author_api).status_code == 200


def test_one_bad_category_saves_none_of_the_request(admin_api):
    answer = admin_api.patch(POLICY_URL, {"self_harm": {"hold": 0.9},
                                          "violence": {"deadline_hours": 1e308}}, format="json")
    assert answer.status_code == 422
    assert not PolicyOverride.objects.exists()
    assert policy.category_policy("self_harm").hold == 0.95


def test_a_good_change_is_saved_with_its_audit_entry(admin_api, author_api):
    answer = admin_api.patch(POLICY_URL, {"violence": {"deadline_hours": 8760, "case": 0.4,
                                                       "strikes": 3}}, format="json")
    assert answer.status_code == 200
    violence = next(c for c in answer.json()["categories"] if c["category"] == "violence")
    assert (violence["deadline_hours"], violence["case"], violence["strikes"]) == (8760, 0.4, 3)
    entry = AuditEntry.objects.get(event="policy.changed")
    assert entry.data["changes"] == {"deadline_hours": 8760, "case": 0.4, "strikes": 3}
    assert post_status(author_api).status_code == 200


def test_the_expected_harm_bar_can_be_raised_or_switched_off(admin_api):
    answer = admin_api.patch(POLICY_URL, {"violence": {"case_harm": 40},
                                          "self_harm": {"case_harm": None}}, format="json")
    assert answer.status_code == 200
    by_name = {c["category"]: c for c in answer.json()["categories"]}
    assert (by_name["violence"]["case_harm"], by_name["self_harm"]["case_harm"]) == (40, None)
    assert policy.category_policy("violence").case_harm == 40


def test_a_bad_expected_harm_bar_in_settings_falls_back_to_the_default(settings):
    settings.PARLEY_POLICY_OVERRIDES = json.dumps({"violence": {"case_harm": -3}})
    assert policy.category_policy("violence").case_harm == policy.POLICY["violence"].case_harm


def test_a_held_post_under_the_longest_deadline_still_posts(admin_api, author_api,
                                                            spoonbender):
    assert admin_api.patch(POLICY_URL, {"violence": {"deadline_hours": 8760}},
                           format="json").status_code == 200
    answer = post_status(author_api, "spoonbender at dawn")
    assert answer.status_code == 200
    assert Post.objects.get(pk=answer.json()["id"]).state == PostState.HELD


@pytest.mark.parametrize("stored", [
    {"deadline_hours": 1e308},
    {"deadline_hours": 100000000},
    {"deadline_hours": "soon"},
    {"hold": "high", "case": 7},
    {"hold": 0.2, "case": 0.8},
    {"strikes": -1, "severity": None, "mystery": 1},
    "not an object",
])
def test_a_bad_row_in_the_database_never_stops_posting(admin_api, author_api, spoonbender,
                                                       stored, caplog):
    PolicyOverride.objects.create(category="violence", values=stored)
    snapshots.mark_changed(snapshots.POLICY)
    with caplog.at_level(logging.WARNING, logger="parley.safety.policy"):
        plain = post_status(author_api)
        held = post_status(author_api, "spoonbender at dawn")
    assert plain.status_code == 200 and held.status_code == 200
    assert Post.objects.get(pk=held.json()["id"]).state == PostState.HELD
    violence = policy.category_policy("violence")
    default = policy.POLICY["violence"]
    assert violence.deadline == default.deadline
    assert (violence.hold, violence.case) == (default.hold, default.case)
    assert admin_api.get(POLICY_URL).status_code == 200
    fixed = admin_api.patch(POLICY_URL, {"violence": {"deadline_hours": 2}}, format="json")
    assert fixed.status_code == 200  # an admin can repair it through the API


def test_bad_settings_overrides_fall_back_to_the_defaults(settings, author_api, caplog):
    settings.PARLEY_POLICY_OVERRIDES = '{"violence": {"deadline_hours": 1e308, "hold": 0.97}}'
    with caplog.at_level(logging.WARNING, logger="parley.safety.policy"):
        assert post_status(author_api).status_code == 200
        violence = policy.category_policy("violence")
    assert violence.deadline == policy.POLICY["violence"].deadline and violence.hold == 0.97
    assert "deadline_hours" in caplog.text
    settings.PARLEY_POLICY_OVERRIDES = "{not json"
    assert post_status(author_api).status_code == 200


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)
overrides = st.dictionaries(
    st.sampled_from([*policy.TUNABLE, "colour"]), json_values, max_size=5) | json_values


@hypothesis_settings(max_examples=200, deadline=None)
@given(stored=overrides)
def test_any_override_in_the_settings_gives_a_usable_policy(stored):
    """Whatever PARLEY_POLICY_OVERRIDES holds, the effective policy is one every caller can
    use: thresholds ordered in [0, 1], a deadline that can be added to now."""
    with override_settings(PARLEY_POLICY_OVERRIDES=json.dumps({"violence": stored})):
        violence = policy.category_policy("violence")
    assert timezone.now() + violence.deadline > timezone.now()
    assert violence.deadline <= timedelta(hours=policy.MAX_DEADLINE_HOURS)
    scores = [s for s in (violence.case, violence.hold) if s is not None]
    assert all(0 <= s <= 1 for s in scores) and scores == sorted(scores)
    assert violence.severity in policy.SEVERITY_WEIGHT and 0 <= violence.strikes <= 10
