"""The shipped model: holds clear threats, leaves hard negatives alone, explains itself."""

from __future__ import annotations

import json
import threading

import pytest

from parley.safety.model import accurate_detector, inline_detector
from parley.safety.model.data import HARD_NEGATIVES_PATH
from parley.safety.policy import POLICY
from parley.safety.screening.base import Detector

THREATS = [
    "I am going to shoot you tomorrow, @bob",
    "we should hang every one of them",
    "I will find you and kill you",
    "they all deserve a bullet, line them up and shoot them",
]
HOLD = POLICY["violence"].hold


def _hard_negatives() -> list[str]:
    with open(HARD_NEGATIVES_PATH, encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle if line.strip()]


@pytest.fixture(scope="module", params=["inline", "accurate"])
def detector(request) -> Detector:
    return inline_detector() if request.param == "inline" else accurate_detector()


def test_detectors_follow_the_protocol_and_load_once(detector):
    assert isinstance(detector, Detector)
    assert detector.tier in ("inline", "accurate")
    same = inline_detector() if detector.tier == "inline" else accurate_detector()
    assert same is detector


@pytest.mark.parametrize("text", THREATS)
def test_clear_threats_are_held_by_both_tiers(detector, text):
    result = detector.score(text)
    assert result.scores["violence"] >= HOLD, result


def test_evidence_names_the_words_that_drove_the_score(detector):
    result = detector.score("I am going to shoot you tomorrow, @bob")
    evidence = " ".join(result.evidence["violence"])
    assert "shoot" in evidence


def test_evasions_of_a_threat_are_still_held(detector):
    for text in ["I am g0ing to sh00t you tomorrow", "i will k i l l you", "I will kiiiiill you"]:
        assert detector.score(text).scores["violence"] >= HOLD, text


def test_hard_negatives_are_not_held(detector):
    texts = _hard_negatives()
    for text, result in zip(texts, detector.score_batch(texts), strict=True):
        for category, score in result.scores.items():
            hold = POLICY[category].hold
            assert hold is None or score < hold, (text, category, score)


def test_everyday_posts_are_not_held(detector):
    for text in ["Good morning! Coffee and a long walk by the sea today.",
                 "Does anyone have a recipe for sourdough without a starter?",
                 "I'm going to kill you at chess tonight, bring snacks"]:
        scores = detector.score(text).scores
        assert scores["violence"] < HOLD, (text, scores)


def test_scores_are_probabilities_and_batch_matches_single(detector):
    texts = THREATS + ["what a lovely day"]
    batch = detector.score_batch(texts)
    for text, result in zip(texts, batch, strict=True):
        single = detector.score(text)
        for category, score in result.scores.items():
            assert 0.0 <= score <= 1.0
            assert single.scores[category] == pytest.approx(score, abs=1e-3)


def test_scoring_is_thread_safe(detector):
    expected = [detector.score(t).scores["violence"] for t in THREATS]
    found: list[list[float]] = []

    def work() -> None:
        found.append([detector.score(t).scores["violence"] for t in THREATS])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(row == pytest.approx(expected, abs=1e-3) for row in found)
