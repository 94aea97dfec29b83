"""The built-in model holds a post only where holding was measured >= 95 % precise on the eval
split (weights/hold_gates.json); elsewhere, or with gates measured on other weights, a
would-be hold opens a case at once and the post stays up."""

import json
import logging
import shutil

import numpy as np
import pytest

from parley.posts import services as posts
from parley.posts.models import PostState
from parley.safety.model import InlineDetector, hold_gates
from parley.safety.model.detectors import WEIGHTS_DIR
from parley.safety.screening.pipeline import run_detectors

pytestmark = pytest.mark.django_db  # the policy table may be overridden in the database

THREAT = "I am going to shoot you tomorrow, @bob"
# Political speech the shipped model scores at the hate hold threshold (0.95) or above:
# accurate tier 0.973 and 0.976. Without the gates both were held.
POLITICAL = ["Stop Islamic immigration now, vote for stricter asylum laws",
             "Illegal immigration must stop and we need stronger borders"]


@pytest.fixture
def publish_screened(django_capture_on_commit_callbacks):
    """create_post, then its fan-out (the accurate tier) as after a real commit."""

    def published(author, text):
        with django_capture_on_commit_callbacks(execute=True):
            post = posts.create_post(author, text)
        post.refresh_from_db()
        return post

    return published


@pytest.mark.parametrize("tier", ["inline", "accurate"])
def test_the_shipped_gates_were_measured_on_the_shipped_weights(tier):
    """Fails when weights change without `parley safety calibrate-holds` run again."""
    gates = hold_gates.load(WEIGHTS_DIR, tier)
    assert gates.status == "ok"
    measured = hold_gates.read_file(WEIGHTS_DIR)
    assert measured["split"] == "eval" and measured["target_precision"] == 0.95
    for category in ("violence", "illegal_or_harmful_speech"):
        entry = measured["tiers"][tier]["categories"][category]
        assert entry["threshold"] is None or (entry["precision"] >= 0.95
                                              and entry["held"] >= measured["min_held"])


@pytest.mark.parametrize("text", POLITICAL)
def test_political_speech_about_immigration_is_not_held_for_hate(text, make_member,
                                                                 followed_by, publish_screened,
                                                                 cases_about):
    author = followed_by(make_member("voter"))
    post = publish_screened(author, text)
    assert post.state == PostState.PUBLISHED and post.distributed_at is not None
    # Where a model score would have held it, a case opens instead (a person decides).
    for case in cases_about(post=post):
        assert case.state == "open"


def test_a_direct_threat_opens_a_case_the_rule_does_not_hold(make_member, publish_screened,
                                                             cases_about):
    measured = hold_gates.read_file(WEIGHTS_DIR)[hold_gates.RULE]
    assert measured["holds"] is False and measured["precision"] < 0.95  # 15 of 16
    post = publish_screened(make_member("threatener"), THREAT)
    assert post.state == PostState.PUBLISHED
    [case] = cases_about(post=post)
    assert case.category == "violence" and case.confidence >= 0.9


def _weights_copy(tmp_path):
    for name in hold_gates.TIER_FILES["inline"]:
        shutil.copy(WEIGHTS_DIR / name, tmp_path / name)
    return tmp_path


def _write_gates(directory, sha: str, threshold: float | None, rule_holds: bool) -> None:
    (directory / hold_gates.GATES_FILE).write_text(json.dumps({
        "tiers": {"inline": {"weights_sha256": sha, "categories": {
            "violence": {"threshold": threshold},
            "illegal_or_harmful_speech": {"threshold": threshold}}}},
        hold_gates.RULE: {"holds": rule_holds},
    }))


def test_gates_measured_on_these_weights_let_the_model_hold(tmp_path):
    directory = _weights_copy(tmp_path)
    _write_gates(directory, hold_gates.weights_sha256(directory, "inline"), None, True)
    detector = InlineDetector(directory)
    assert detector.gates.status == "ok"
    assert run_detectors([detector], THREAT, "inline").outcome == "hold"  # the rule holds
    _write_gates(directory, hold_gates.weights_sha256(directory, "inline"), None, False)
    verdict = run_detectors([InlineDetector(directory)], THREAT, "inline")
    assert verdict.outcome == "case" and "not held" in verdict.reason


@pytest.mark.parametrize("state", ["missing", "stale"])
def test_missing_or_stale_gates_mean_cases_instead_of_holds(tmp_path, caplog, state):
    directory = _weights_copy(tmp_path)
    if state == "stale":  # measured on other weights: a retrained model, not re-measured
        _write_gates(directory, "0" * 64, 0.0, True)
    with caplog.at_level(logging.WARNING, logger="parley.safety.model.hold_gates"):
        detector = InlineDetector(directory)
    assert detector.gates.status == state
    assert "calibrate-holds" in caplog.text
    verdict = run_detectors([detector], THREAT, "inline")
    assert verdict.outcome == "case" and verdict.category == "violence"
    assert verdict.score >= 0.9


def test_the_gate_is_the_lowest_score_from_which_holding_is_precise_enough():
    # 60 true violations at the top, then one benign post per 10: precision falls below
    # 0.95 after the 80th held post.
    scores = np.linspace(1.0, 0.0, 200)
    labels = np.array([1] * 60 + [1 if k % 10 else 0 for k in range(140)], dtype=np.int8)
    gate = hold_gates.lowest_gate(labels, scores, min_held=20, confidence=0.95)
    held = scores >= gate["threshold"]
    assert labels[held].mean() >= 0.95 and gate["held"] == held.sum()
    lower = scores[held.sum()]  # one more post held: no longer precise enough (or bound)
    assert gate["lower_bound"] >= 0.95
    assert labels[scores >= lower].mean() < 0.95 or hold_gates.wilson_lower(
        int(labels[scores >= lower].sum()), int((scores >= lower).sum()), 0.95) < 0.95
    # A benign post among the top 20 held stops any gate below it.
    labels[5] = labels[6] = 0
    assert hold_gates.lowest_gate(labels, scores, min_held=20)["threshold"] is None
    # Too few held to tell: no gate.
    few = hold_gates.lowest_gate(np.ones(10, dtype=np.int8), np.linspace(1, 0.9, 10))
    assert few["threshold"] is None
