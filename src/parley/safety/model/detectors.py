"""The two built-in detectors (inline and accurate tier) over the shipped weights."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path

import numpy as np

from parley.safety.model import hold_gates
from parley.safety.model.calibration import Calibrator, OperatingMap, to_policy_scale
from parley.safety.model.linear import InlineModel
from parley.safety.model.normalise import normalise
from parley.safety.model.patterns import find_direct_threat
from parley.safety.screening.base import DetectorResult, LazyEvidence

WEIGHTS_DIR = Path(__file__).parent / "weights"
EVIDENCE_FLOOR = 0.5  # evidence is kept for scores at least this share of the case score
WHOLE_POST = "meaning of the whole post (fine-tuned MiniLM classifier)"


class InlineDetector:
    """Word/char n-gram + threat-pattern linear model and the direct-threat rule; ~1 ms a post."""

    name = "builtin-inline"
    tier = "inline"
    # Where the accurate tier screens the post before anyone sees it (new posts), that tier
    # alone opens the model's cases: it reaches the case recall target on its own with half
    # the inline tier's false cases. This tier still holds.
    case_tier = "accurate"

    def __init__(self, directory: Path = WEIGHTS_DIR) -> None:
        self.model = InlineModel(directory)
        self._floor = [EVIDENCE_FLOOR * m.case_score for m in self.model.operating]
        categories = self.model.categories
        self._violence = categories.index("violence") if "violence" in categories else None
        violence = self._violence
        self._hold = 1.0 if violence is None else self.model.operating[violence].hold_score
        self.directory = directory
        self.gates = hold_gates.load(directory, self.tier)

    def score(self, text: str) -> DetectorResult:
        normalised = normalise(text)
        vector = self.model.vector(normalised)
        raw = self.model.raw_scores(normalised, vector)
        return self._result(normalised, self.model.calibrate(raw), vector)

    def apply_rules(self, normalised: str, scores: np.ndarray) -> str | None:
        """Raise violence to the hold score for an unmistakable threat; returns its reason."""
        if self._violence is None:
            return None
        hit = find_direct_threat(normalised)
        if hit is None:
            return None
        scores[self._violence] = max(scores[self._violence], self._hold)
        return f"rule: {hit.name}: \"{hit.text}\""

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(text) for text in texts]

    def _result(self, normalised: str, scores: np.ndarray,
                vector: tuple[np.ndarray, np.ndarray]) -> DetectorResult:
        categories = self.model.categories
        rule = self.apply_rules(normalised, scores)
        flagged = [c for k, c in enumerate(categories) if scores[k] >= self._floor[k]]
        evidence: Mapping[str, list[str]] = {}
        if flagged:
            evidence = LazyEvidence(partial(self.evidence, normalised, flagged, rule, vector))
        return DetectorResult(
            detector=self.name,
            scores={c: round(float(scores[k]), 6) for k, c in enumerate(categories)},
            evidence=evidence,
            hold_gates=self.gates.for_result(categories, rule is not None),
        )

    def evidence(self, normalised: str, flagged: list[str], rule: str | None,
                 vector: tuple[np.ndarray, np.ndarray] | None = None,
                 note: str | None = None) -> dict[str, list[str]]:
        """The rule, patterns and words behind each flagged category (``note`` added last)."""
        reasons = self.model.evidence(normalised, flagged, vector=vector)
        if rule:
            reasons["violence"].insert(0, rule)
        if note:
            return {c: reasons[c] + [note] for c in flagged}
        return {c: reasons[c] for c in flagged if reasons[c]}


class AccurateDetector:
    """Fine-tuned MiniLM classifier (int8 ONNX), calibrated; inline model for evidence only."""

    name = "builtin-accurate"
    tier = "accurate"

    def __init__(self, directory: Path = WEIGHTS_DIR) -> None:
        from parley.safety.model.encoder import OnnxTextClassifier

        meta = json.loads((directory / "accurate.json").read_text(encoding="utf-8"))
        arrays = np.load(directory / "accurate.npz", allow_pickle=False)
        self.categories: list[str] = list(meta["categories"])
        self.inline = InlineDetector(directory)
        self.encoder = OnnxTextClassifier.from_description(meta["encoder"], directory)
        self.calibrators = [
            Calibrator.from_arrays(arrays, c) for c in self.categories
        ]
        self.operating = [OperatingMap.from_dict(meta["operating"][c]) for c in self.categories]
        self._floor = [EVIDENCE_FLOOR * m.case_score for m in self.operating]
        self.directory = directory
        self.gates = hold_gates.load(directory, self.tier)

    def raw_scores(self, normalised: list[str]) -> np.ndarray:
        """The encoder's decision values, one row per text."""
        return self.encoder.decision_values(normalised)

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        return to_policy_scale(raw, self.calibrators, self.operating)

    def score(self, text: str) -> DetectorResult:
        return self.score_batch([text])[0]

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        normalised = [normalise(t) for t in texts]
        scores = self.calibrate(self.raw_scores(normalised))
        results = []
        for i, text in enumerate(normalised):
            rule = self.inline.apply_rules(text, scores[i])
            flagged = [c for k, c in enumerate(self.categories)
                       if scores[i, k] >= self._floor[k]]
            evidence: Mapping[str, list[str]] = {}
            if flagged:
                evidence = LazyEvidence(partial(self.inline.evidence, text, flagged, rule,
                                                note=WHOLE_POST))
            results.append(DetectorResult(
                detector=self.name,
                scores={c: round(float(scores[i, k]), 6) for k, c in enumerate(self.categories)},
                evidence=evidence,
                hold_gates=self.gates.for_result(self.categories, rule is not None),
            ))
        return results


_lock = threading.Lock()
_cache: dict[str, object] = {}


def _cached(key: str, factory):
    found = _cache.get(key)
    if found is None:
        with _lock:
            found = _cache.get(key)
            if found is None:
                found = _cache[key] = factory()
    return found


def inline_detector() -> InlineDetector:
    """The shipped inline detector, loaded once per process."""
    return _cached("inline", InlineDetector)


def accurate_detector() -> AccurateDetector:
    """The shipped accurate detector, loaded once per process."""
    return _cached("accurate", AccurateDetector)
