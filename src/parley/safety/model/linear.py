"""The inline tier at run time: TF-IDF n-grams + threat patterns, linear heads, calibration.

Weights are plain arrays (``inline.npz``) and a vocabulary (``inline.json``); nothing is
unpickled. Scoring a post is a few hundred dict look-ups and a dot product.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.safety.model.calibration import Calibrator, OperatingMap
from parley.safety.model.features import FeatureIndexer
from parley.safety.model.normalise import normalise
from parley.safety.model.patterns import find_threat_patterns

PATTERN_LABELS = {
    "first_person_threat": "first-person threat (intent + violent verb + target)",
    "call_to_kill": "call for someone to be killed/hurt",
    "imperative_violence": "call to commit violence",
    "death_wish": "death wish / telling someone to die",
    "weapon_at_target": "weapon or execution method aimed at a target",
    "glorify_attack": "glorifies an attack or attacker",
}


@dataclass(frozen=True)
class LinearScores:
    raw: np.ndarray  # decision values, one per category
    calibrated: np.ndarray
    features: list[tuple[str, np.ndarray]]  # (feature name, contribution per category)


class InlineModel:
    """Loads ``<stem>.npz`` + ``<stem>.json`` and scores normalised text."""

    def __init__(self, directory: Path, stem: str = "inline") -> None:
        meta = json.loads((directory / f"{stem}.json").read_text(encoding="utf-8"))
        arrays = np.load(directory / f"{stem}.npz", allow_pickle=False)
        self.meta = meta
        self.categories: list[str] = list(meta["categories"])
        self.indexer = FeatureIndexer(meta["vocabulary"])
        self.idf = arrays["idf"].astype(np.float64)
        self.coef = arrays["coef"].astype(np.float64)  # (n_features, n_categories)
        self.intercept = arrays["intercept"].astype(np.float64)
        self.calibrators = [
            Calibrator(arrays[f"calib_x_{c}"], arrays[f"calib_y_{c}"]) for c in self.categories
        ]
        self.operating = [OperatingMap.from_dict(meta["operating"][c]) for c in self.categories]

    def _vector(self, normalised: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(self.indexer.indices(normalised))
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), float, len(counts))
        values = tf * self.idf[index]
        values /= math.sqrt(float(values @ values)) or 1.0
        return index, values

    def raw_scores(self, normalised: str) -> np.ndarray:
        index, values = self._vector(normalised)
        return values @ self.coef[index] + self.intercept

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        """Raw decision values (last axis: categories) to policy-scale probabilities."""
        raw = np.asarray(raw, dtype=np.float64)
        out = np.empty_like(raw)
        for k, (calibrator, operating) in enumerate(zip(self.calibrators, self.operating,
                                                         strict=True)):
            out[..., k] = operating(calibrator(raw[..., k]))
        return out

    def score(self, normalised: str, explain: bool = False) -> LinearScores:
        index, values = self._vector(normalised)
        contributions = values[:, None] * self.coef[index]
        raw = contributions.sum(axis=0) + self.intercept
        calibrated = self.calibrate(raw)
        features: list[tuple[str, np.ndarray]] = []
        if explain and len(index):
            names = self.meta["vocabulary"]
            features = [(names[i], contributions[k]) for k, i in enumerate(index)]
        return LinearScores(raw, calibrated, features)

    def evidence(
        self, normalised: str, scores: LinearScores, limit: int = 5
    ) -> dict[str, list[str]]:
        """The n-grams and threat patterns that pushed each category's score up the most."""
        hits = find_threat_patterns(normalised)
        out: dict[str, list[str]] = {}
        for k, category in enumerate(self.categories):
            reasons = []
            if category == "violence":
                reasons += [
                    f"pattern: {PATTERN_LABELS.get(h.name, h.name)}: \"{h.text}\""
                    for h in hits
                    if not h.negated
                ]
            ranked = sorted(scores.features, key=lambda item: -item[1][k])
            seen: set[str] = set()
            for name, contribution in ranked:
                if contribution[k] <= 0 or len(seen) >= limit:
                    break
                label = _readable(name)
                if label and label not in seen and not name.startswith("p:"):
                    seen.add(label)
                    reasons.append(f"{label} (+{contribution[k]:.2f})")
            out[category] = reasons
        return out


def _readable(feature: str) -> str:
    kind, _, value = feature.partition(":")
    if kind == "c":
        return f"chars \"{value.strip()}\"" if value.strip() else ""
    return f"\"{value}\""


def prepare(text: str) -> str:
    return normalise(text)
