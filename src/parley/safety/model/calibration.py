"""Score calibration (isotonic, stored as knots) and operating-point thresholds.

Calibration and thresholds are fitted on out-of-fold predictions over the training split,
never on eval. A calibrated score of 0.9 means about 9 in 10 posts scored so violate.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

HOLD_PRECISION = 0.90
CASE_RECALL = 0.80


PLATT_SHARE = 0.02  # of the probability taken from a logistic fit, which never plateaus


def _interpolate(x: float, xs: list[float], ys: list[float]) -> float:
    """``np.interp`` for one value: one inline post is scored with no numpy call per knot."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    j = bisect.bisect_right(xs, x) - 1
    return (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]) * (x - xs[j]) + ys[j]


@dataclass(frozen=True)
class Calibrator:
    """Monotone map from a raw model score to a probability.

    Mostly isotonic regression (piecewise linear between knots); a small share comes from
    a logistic (Platt) fit so the map rises strictly everywhere: isotonic plateaus would
    otherwise tie posts the model ranks apart, including at the very top, and cost ranking
    quality (AUPRC) for no calibration gain.
    """

    knots_x: np.ndarray
    knots_y: np.ndarray
    platt: tuple[float, float] | None = None  # slope, intercept

    def __call__(self, raw: np.ndarray | float) -> np.ndarray:
        isotonic = np.interp(raw, self.knots_x, self.knots_y)
        if self.platt is None:
            return isotonic
        slope, intercept = self.platt
        logistic = 1.0 / (1.0 + np.exp(-(slope * np.asarray(raw, dtype=np.float64) + intercept)))
        return (1.0 - PLATT_SHARE) * isotonic + PLATT_SHARE * logistic

    @cached_property
    def _knot_lists(self) -> tuple[list[float], list[float]]:
        return self.knots_x.tolist(), self.knots_y.tolist()

    def probability(self, raw: float) -> float:
        """The same map as calling it, for one raw score."""
        isotonic = _interpolate(raw, *self._knot_lists)
        if self.platt is None:
            return isotonic
        slope, intercept = self.platt
        exponent = -(slope * raw + intercept)
        logistic = 0.0 if exponent > 700 else 1.0 / (1.0 + math.exp(exponent))
        return (1.0 - PLATT_SHARE) * isotonic + PLATT_SHARE * logistic

    @classmethod
    def from_arrays(cls, arrays, category: str) -> Calibrator:
        """The calibrator saved for ``category`` in a weights ``.npz``."""
        platt = arrays.get(f"calib_platt_{category}")
        return cls(arrays[f"calib_x_{category}"], arrays[f"calib_y_{category}"],
                   None if platt is None else (float(platt[0]), float(platt[1])))

    def arrays(self, category: str) -> dict[str, np.ndarray]:
        out = {f"calib_x_{category}": self.knots_x.astype(np.float64),
               f"calib_y_{category}": self.knots_y.astype(np.float64)}
        if self.platt is not None:
            out[f"calib_platt_{category}"] = np.array(self.platt, dtype=np.float64)
        return out

    @classmethod
    def fit(cls, raw: np.ndarray, labels: np.ndarray, max_knots: int = 200) -> Calibrator:
        from sklearn.isotonic import IsotonicRegression
        from sklearn.linear_model import LogisticRegression

        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, labels)
        xs, ys = np.asarray(iso.X_thresholds_, float), np.asarray(iso.y_thresholds_, float)
        if len(xs) > max_knots:
            pick = np.unique(np.linspace(0, len(xs) - 1, max_knots).round().astype(int))
            xs, ys = xs[pick], ys[pick]
        # Keep the map strictly increasing so different raw scores stay distinguishable
        # (helps ranking metrics and lets thresholds sit between posts).
        ys = np.maximum.accumulate(ys + np.linspace(0, 1e-6, len(ys)))
        logistic = LogisticRegression(C=1e4).fit(np.asarray(raw, float).reshape(-1, 1), labels)
        platt = (float(logistic.coef_[0, 0]), float(logistic.intercept_[0]))
        return cls(xs.astype(np.float64), np.clip(ys, 0.0, 1.0), platt)


def hold_threshold(scores: np.ndarray, labels: np.ndarray, precision: float = HOLD_PRECISION,
                   min_support: int = 5) -> float:
    """Lowest threshold whose precision (over posts at or above it) is >= ``precision``."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    k = np.arange(1, len(y) + 1)
    prec = tp / k
    # Only thresholds at the boundary between distinct scores are valid cut points.
    boundary = np.r_[s[1:] < s[:-1], True]
    ok = (prec >= precision) & boundary & (tp >= min_support)
    if not ok.any():
        return float(min(1.0, s[0] + 1e-6))  # nothing reaches the precision: hold nothing
    return float(s[np.flatnonzero(ok).max()])


def case_threshold(scores: np.ndarray, labels: np.ndarray, recall: float = CASE_RECALL) -> float:
    """Highest threshold that still catches ``recall`` of the positives."""
    positives = np.sort(scores[labels == 1])[::-1]
    if len(positives) == 0:
        return 1.0
    k = int(np.ceil(recall * len(positives))) - 1
    return float(positives[min(k, len(positives) - 1)])


@dataclass(frozen=True)
class OperatingMap:
    """Monotone map from calibrated probability to the policy's score scale.

    It sends the hold threshold (precision >= 0.9 on the training side) to the policy's
    hold score and the case threshold (recall >= 0.8) to its case score, so that
    ``safety.policy`` thresholds select exactly these operating points; between the knots
    it is linear, so scores above the hold knot still mean "about that precision or more".
    """

    case_probability: float
    hold_probability: float
    case_score: float
    hold_score: float

    @classmethod
    def fit(cls, case_p: float, hold_p: float, case_score: float, hold_score: float
            ) -> OperatingMap:
        hold_p = max(hold_p, case_p + 1e-6)
        return cls(float(case_p), float(hold_p), float(case_score), float(hold_score))

    @cached_property
    def _knots(self) -> tuple[list[float], list[float]]:
        xs = [0.0, self.case_probability, self.hold_probability,
              max(1.0, self.hold_probability + 1e-6)]
        return xs, [0.0, self.case_score, self.hold_score, 1.0]

    def __call__(self, probability: np.ndarray | float) -> np.ndarray:
        return np.interp(probability, *self._knots)

    def score(self, probability: float) -> float:
        """The same map as calling it, for one probability."""
        return _interpolate(probability, *self._knots)

    def as_dict(self) -> dict[str, float]:
        return {
            "case_probability": self.case_probability,
            "hold_probability": self.hold_probability,
            "case_score": self.case_score,
            "hold_score": self.hold_score,
        }

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> OperatingMap:
        return cls(**{k: float(v) for k, v in data.items()})


def to_policy_scale(raw: np.ndarray, calibrators: list[Calibrator],
                    operating: list[OperatingMap]) -> np.ndarray:
    """Raw decision values (last axis: categories) to policy-scale probabilities."""
    raw = np.asarray(raw, dtype=np.float64)
    if raw.ndim == 1:  # one post: plain floats are several times faster than numpy here
        return np.array([m.score(c.probability(x)) for x, c, m
                         in zip(raw.tolist(), calibrators, operating, strict=True)])
    out = np.empty_like(raw)
    for k, (calibrator, operating_map) in enumerate(zip(calibrators, operating, strict=True)):
        out[..., k] = operating_map(calibrator(raw[..., k]))
    return out
