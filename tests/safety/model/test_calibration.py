"""Calibration: scores read as probabilities, and the model's ranking survives it."""

from __future__ import annotations

import numpy as np

from parley.safety.model.calibration import (
    Calibrator,
    OperatingMap,
    hold_threshold,
    to_policy_scale,
)


def _noisy_scores(n: int = 4000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=n) * 2.0
    labels = (rng.random(n) < 1.0 / (1.0 + np.exp(-(raw - 2.0)))).astype(int)
    return raw, labels


def test_calibrated_scores_match_observed_rates():
    raw, labels = _noisy_scores()
    probability = Calibrator.fit(raw, labels)(raw)
    assert ((probability >= 0.0) & (probability <= 1.0)).all()
    for low, high in [(0.0, 0.2), (0.2, 0.5), (0.5, 1.0)]:
        band = (probability >= low) & (probability < high)
        assert abs(labels[band].mean() - probability[band].mean()) < 0.05


def test_distinct_raw_scores_stay_distinct_even_beyond_the_training_range():
    raw, labels = _noisy_scores()
    calibrator = Calibrator.fit(raw, labels)
    probe = np.sort(np.r_[raw, raw.max() + np.arange(1, 6), raw.min() - np.arange(1, 6)])
    assert (np.diff(calibrator(probe)) > 0).all()  # isotonic plateaus alone would tie them


def test_saved_calibrator_scores_the_same():
    raw, labels = _noisy_scores()
    calibrator = Calibrator.fit(raw, labels)
    loaded = Calibrator.from_arrays(calibrator.arrays("violence"), "violence")
    assert np.allclose(loaded(raw), calibrator(raw))


def test_hold_threshold_reaches_the_asked_precision_or_holds_nothing():
    raw, labels = _noisy_scores()
    probability = Calibrator.fit(raw, labels)(raw)
    threshold = hold_threshold(probability, labels, precision=0.9)
    held = probability >= threshold
    assert not held.any() or labels[held].mean() >= 0.9
    assert not (probability >= hold_threshold(probability, np.zeros_like(labels))).any()


def test_one_post_is_scored_exactly_as_a_batch_is():
    raw, labels = _noisy_scores()
    calibrators = [Calibrator.fit(raw, labels), Calibrator.fit(-raw, 1 - labels)]
    operating = [OperatingMap.fit(0.1, 0.8, 0.5, 0.9), OperatingMap.fit(0.3, 0.95, 0.6, 0.95)]
    posts = np.c_[np.r_[raw, -60.0, 60.0], np.r_[raw[::-1], 60.0, -60.0]]
    batch = to_policy_scale(posts, calibrators, operating)
    one_by_one = np.array([to_policy_scale(row, calibrators, operating) for row in posts])
    np.testing.assert_allclose(one_by_one, batch, rtol=0, atol=1e-12)
    assert 0.5 < batch[:, 0].max() <= 1.0 and batch[:, 0].min() >= 0.0
