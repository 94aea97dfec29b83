"""Real detectors that misbehave, plugged in the way operators add detectors (settings)."""

from __future__ import annotations

import threading

from parley.safety.screening.base import DetectorResult


class Exploding:
    """Crashes on every text."""

    name = "exploding"
    tier = "inline"

    def score(self, text: str) -> DetectorResult:
        raise RuntimeError("model server unreachable")

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


class ExplodingAccurate(Exploding):
    """An accurate-tier detector that crashes on every text (a model server down)."""

    name = "exploding_accurate"
    tier = "accurate"


class Sleepy:
    """Takes far longer than its budget; ``finished`` is set when it finally returns."""

    name = "sleepy"
    tier = "inline"
    timeout = 0.2
    finished = threading.Event()

    def score(self, text: str) -> DetectorResult:
        self.finished.wait(3)
        return DetectorResult(self.name)

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


class _Scoring:
    name = "scoring"
    tier = "inline"
    word = "spoonbender"

    def score(self, text: str) -> DetectorResult:
        if self.word not in text.lower():
            return DetectorResult(self.name)
        return DetectorResult(self.name, {"violence": 0.99}, {"violence": [f"said {self.word}"]})

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


class AccurateViolence(_Scoring):
    """An accurate-tier detector (as the model's) that is sure about one word."""

    name = "accurate_violence"
    tier = "accurate"


class BackgroundViolence(_Scoring):
    """A heavy background detector (as an external moderation API) sure about one word."""

    name = "background_violence"
    tier = "background"


class Borderline:
    """Scores one word just under the violence hold threshold (0.87 < 0.90) and another just
    under the hate-speech one (0.92 < 0.95): account signals decide the outcome."""

    name = "borderline"
    tier = "inline"

    def score(self, text: str) -> DetectorResult:
        lowered = text.lower()
        if "grumblewick" in lowered:
            return DetectorResult(self.name, {"violence": 0.87}, {"violence": ["grumblewick"]})
        if "snarfblat" in lowered:
            return DetectorResult(self.name, {"illegal_or_harmful_speech": 0.92},
                                  {"illegal_or_harmful_speech": ["snarfblat"]})
        return DetectorResult(self.name)

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


class CaseDeferring:
    """An inline detector that, like the built-in model's, leaves the cases of new posts to
    the accurate tier: "wobblefrost" scores at case level, "wobblefrost hold" at hold level."""

    name = "case_deferring"
    tier = "inline"
    case_tier = "accurate"

    def score(self, text: str) -> DetectorResult:
        lowered = text.lower()
        if "wobblefrost" not in lowered:
            return DetectorResult(self.name)
        score = 0.95 if "hold" in lowered else 0.6
        return DetectorResult(self.name, {"violence": score}, {"violence": ["wobblefrost"]})

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


class AccurateBorderline(Borderline):
    """Borderline's scores from an accurate-tier detector."""

    name = "accurate_borderline"
    tier = "accurate"


class AccurateLikely:
    """An accurate-tier detector like the model on a borderline post: "quillpike" is violence
    at 0.6 (a case by score, not a hold); "quillpike now" at 0.95 (over the hold threshold);
    with "snarfblat" also hate speech at 0.9."""

    name = "accurate_likely"
    tier = "accurate"

    def score(self, text: str) -> DetectorResult:
        lowered = text.lower()
        if "quillpike" not in lowered:
            return DetectorResult(self.name)
        score = 0.95 if "quillpike now" in lowered else 0.6
        scores = {"violence": score}
        if "snarfblat" in lowered:  # also likely hate speech (case at 0.6, hold at 0.95)
            scores["illegal_or_harmful_speech"] = 0.9
        return DetectorResult(self.name, scores, {"violence": ["quillpike"]})

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]
