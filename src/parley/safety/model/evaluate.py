"""Metrics of the detectors on labelled data (numpy only, so eval needs no training extras)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from parley.safety.model.data import CATEGORIES, LabelledTexts
from parley.safety.policy import POLICY


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the precision-recall curve (step-wise, as scikit-learn computes it)."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    last = np.r_[np.flatnonzero(s[1:] != s[:-1]), len(s) - 1]  # last index of each tie
    tp = np.cumsum(y)[last]
    fp = (last + 1) - tp
    positives = y.sum()
    if positives == 0:
        return float("nan")
    precision = tp / np.maximum(tp + fp, 1)
    recall = tp / positives
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    pos, neg = int(labels.sum()), int(len(labels) - labels.sum())
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # Average ranks over ties.
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts - 1) / 2.0 + 1
    ranks[order] = np.repeat(average, counts)
    return float((ranks[labels == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


@dataclass
class CategoryReport:
    category: str
    known: int
    positives: int
    auprc: float
    roc_auc: float
    hold_precision: float
    hold_recall: float
    case_recall: float
    case_precision: float
    clean_held: float  # share of clean texts (no known violation) held
    clean_cased: float


def category_report(category: str, data: LabelledTexts, scores: np.ndarray) -> CategoryReport:
    policy = POLICY[category]
    labels = data.labels[category]
    known = labels >= 0
    y, s = labels[known].astype(np.int64), scores[known]
    held, cased = s >= (policy.hold or 1.01), s >= (policy.case or 1.01)
    clean = scores[data.clean]
    return CategoryReport(
        category=category,
        known=int(known.sum()),
        positives=int(y.sum()),
        auprc=average_precision(y, s),
        roc_auc=roc_auc(y, s),
        hold_precision=float(y[held].mean()) if held.any() else float("nan"),
        hold_recall=float(held[y == 1].mean()) if y.any() else float("nan"),
        case_recall=float(cased[y == 1].mean()) if y.any() else float("nan"),
        case_precision=float(y[cased].mean()) if cased.any() else float("nan"),
        clean_held=float((clean >= (policy.hold or 1.01)).mean()) if len(clean) else float("nan"),
        clean_cased=float((clean >= (policy.case or 1.01)).mean()) if len(clean) else float("nan"),
    )


def scores_matrix(score_batch: Callable[[list[str]], list], texts: list[str],
                  batch: int = 256) -> np.ndarray:
    """Policy-scale scores (texts x categories) from a detector's ``score_batch``."""
    out = np.zeros((len(texts), len(CATEGORIES)))
    for start in range(0, len(texts), batch):
        for i, result in enumerate(score_batch(texts[start : start + batch])):
            out[start + i] = [result.scores.get(c, 0.0) for c in CATEGORIES]
    return out


def throughput(detector, texts: list[str], seconds: float = 3.0) -> tuple[float, float, float]:
    """(posts/s one at a time, p99 ms one at a time, posts/s batched by 64)."""
    detector.score(texts[0])  # warm up
    latencies = []
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline or i < 20:
        started = time.perf_counter()
        detector.score(texts[i % len(texts)])
        latencies.append(time.perf_counter() - started)
        i += 1
    single = len(latencies) / sum(latencies)
    p99 = float(np.percentile(latencies, 99) * 1000)
    started, done = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        chunk = [texts[(done + k) % len(texts)] for k in range(64)]
        detector.score_batch(chunk)
        done += len(chunk)
    return single, p99, done / (time.perf_counter() - started)


def core_speed_us() -> float:
    """Microseconds this core needs for ``sum(range(1000))``: a yardstick for the posts/s."""
    import timeit

    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def posts_of_length(texts: list[str], length: int = 280, count: int = 200) -> list[str]:
    """Realistic posts of about ``length`` characters, made by joining dataset texts."""
    out, current = [], ""
    for text in texts:
        current = f"{current} {text}".strip()
        if len(current) >= length:
            out.append(current[:length])
            current = ""
            if len(out) >= count:
                break
    return out or [("lorem ipsum " * 30)[:length]]
