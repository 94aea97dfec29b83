"""Hold gates: the built-in model holds a post only where holding was measured precise.

A hold restricts speech before any person has looked, so it needs more evidence than a
case. ``parley safety calibrate-holds`` measures, on the **eval** split (never train), for
each tier and category the lowest score from which the share of truly violating posts among
those held is at least 0.95 (with at least ``min_held`` held examples, at every higher
threshold too), and writes it to ``weights/hold_gates.json`` with the SHA-256 of the tier's
weights it was measured on. The screening holds only when a score reaches both the policy's
hold threshold and this gate; otherwise it opens a case. The precision must be shown with
confidence: its one-sided 95 % Wilson lower bound must reach 0.95 as well
(``--confidence 0`` uses the point estimate alone). A category without a gate, a missing
file or a file measured on other weights means: the model alone never holds (cases
instead), with a warning in the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np

log = logging.getLogger(__name__)

GATES_FILE = "hold_gates.json"
TARGET_PRECISION = 0.95
MIN_HELD = 20
# The precision must be shown, not just estimated: the one-sided Wilson lower bound at this
# confidence must reach the target too (0 turns the bound off: the point estimate decides).
# With the point estimate alone the accurate tier's hate gate (51 of 53 held eval texts)
# still held plain political speech ("Illegal immigration must stop and we need stronger
# borders", 0.976) and counter-speech from the functional suite.
CONFIDENCE = 0.95
# The files whose bytes decide a tier's scores (the direct-threat rule is code, not weights).
TIER_FILES: dict[str, tuple[str, ...]] = {
    "inline": ("inline.json", "inline.npz"),
    "accurate": ("accurate.json", "accurate.npz", "encoder.onnx"),
}
RULE = "direct_threat_rule"


def weights_sha256(directory: Path, tier: str) -> str:
    """One hash over the names and bytes of a tier's weight files."""
    digest = hashlib.sha256()
    for name in TIER_FILES[tier]:
        digest.update(name.encode())
        with open(directory / name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def wilson_lower(true: int, held: int, confidence: float) -> float:
    """One-sided Wilson lower bound of a proportion ``true``/``held`` (the point estimate
    when ``confidence`` is 0)."""
    if held == 0:
        return 0.0
    p = true / held
    if confidence <= 0:
        return p
    z = NormalDist().inv_cdf(confidence)
    centre = p + z * z / (2 * held)
    margin = z * np.sqrt(p * (1 - p) / held + z * z / (4 * held * held))
    return float((centre - margin) / (1 + z * z / held))


def lowest_gate(labels: np.ndarray, scores: np.ndarray, *, target: float = TARGET_PRECISION,
                min_held: int = MIN_HELD, confidence: float = CONFIDENCE) -> dict:
    """The lowest threshold t from which holding is at least ``target`` precise, with at
    least ``min_held`` held and the Wilson lower bound at ``confidence`` reaching ``target``,
    and at every higher threshold with ``min_held`` or more held the precision reaches
    ``target`` too (known labels only; thresholds are the scores themselves).

    Returns the threshold (None if none qualifies) with the precision, recall and counts
    measured at it, and the best lower bound seen."""
    known = labels >= 0
    y, s = labels[known].astype(np.int64), scores[known].astype(np.float64)
    positives = int(y.sum())
    out = {"threshold": None, "precision": None, "recall": None, "held": 0, "true_held": 0,
           "positives": positives, "known": int(known.sum()), "lower_bound": None,
           "best_lower_bound": None, "confidence": confidence}
    if not len(s):
        return out
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last = np.r_[np.flatnonzero(s[1:] != s[:-1]), len(s) - 1]  # end of each run of ties
    held = last + 1
    true_held = np.cumsum(y)[last]
    precision = true_held / held
    best, best_bound = None, 0.0
    for k in range(len(last)):
        if held[k] < min_held:
            continue
        if precision[k] < target:
            break
        bound = wilson_lower(int(true_held[k]), int(held[k]), confidence)
        best_bound = max(best_bound, bound)
        if bound >= target:
            best = k
    out["best_lower_bound"] = round(best_bound, 4)
    if best is None:
        return out
    out.update(threshold=float(s[last[best]]), precision=float(precision[best]),
               recall=float(true_held[best] / positives) if positives else None,
               held=int(held[best]), true_held=int(true_held[best]),
               lower_bound=round(wilson_lower(int(true_held[best]), int(held[best]),
                                              confidence), 4))
    return out


@dataclass
class TierGates:
    """The gates one detector may hold with; ``status`` says why they are what they are."""

    tier: str
    status: str  # ok | missing | stale | unreadable
    thresholds: dict[str, float | None] = field(default_factory=dict)
    rule_holds: bool = False

    def threshold(self, category: str) -> float | None:
        """Lowest score at which the model alone may hold; None: never (a case instead)."""
        return self.thresholds.get(category) if self.status == "ok" else None

    def for_result(self, categories: list[str], rule_fired: bool) -> dict[str, float | None]:
        gates = {c: self.threshold(c) for c in categories}
        if rule_fired and self.status == "ok" and self.rule_holds and "violence" in gates:
            gates["violence"] = 0.0  # the rule's own measured precision lets it hold
        return gates


def read_file(directory: Path) -> dict | None:
    path = directory / GATES_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def load(directory: Path, tier: str) -> TierGates:
    """The gates measured for the weights in ``directory``, or none at all (with a warning)
    when the file is missing, unreadable or measured on other weights."""
    try:
        data = read_file(directory)
    except (OSError, ValueError):
        log.warning("hold gates in %s are unreadable: the %s model will open cases instead "
                    "of holding; re-run `parley safety calibrate-holds`", directory, tier)
        return TierGates(tier, "unreadable")
    if data is None or tier not in data.get("tiers", {}):
        log.warning("no hold gates for the %s model in %s: it will open cases instead of "
                    "holding; run `parley safety calibrate-holds --data ../shared/datasets`",
                    tier, directory)
        return TierGates(tier, "missing")
    entry = data["tiers"][tier]
    if entry.get("weights_sha256") != weights_sha256(directory, tier):
        log.warning("the hold gates in %s were measured on other %s weights: that model will "
                    "open cases instead of holding until `parley safety calibrate-holds "
                    "--data ../shared/datasets` is run again", directory / GATES_FILE, tier)
        return TierGates(tier, "stale")
    thresholds = {c: (v.get("threshold") if isinstance(v, dict) else None)
                  for c, v in entry.get("categories", {}).items()}
    rule = data.get(RULE, {})
    return TierGates(tier, "ok", thresholds, bool(rule.get("holds", False)))
