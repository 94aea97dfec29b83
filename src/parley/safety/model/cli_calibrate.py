"""`parley safety calibrate-holds --data DIR`: measure where holding is precise enough.

Scores the **eval** split (never train) with each tier's model alone (no direct-threat rule),
finds per category the lowest score at which holding is at least 95 % precise, measures the
direct-threat rule's own precision on held-out text, and writes ``hold_gates.json`` next to
the weights with the hash of the weights measured. Re-run it whenever the weights change
(a few minutes on two cores: the accurate tier scores ~9,600 texts)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from parley.safety.model import hold_gates
from parley.safety.model.data import CATEGORIES, EDOS_NAME, dataset_file, load_split
from parley.safety.model.detectors import WEIGHTS_DIR
from parley.safety.model.normalise import normalise
from parley.safety.model.patterns import find_direct_threat


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Measure on the eval split, per tier and category, the lowest score at which holding "
        f"a post is at least {hold_gates.TARGET_PRECISION:.0%} precise, and the direct-threat "
        f"rule's precision; write {hold_gates.GATES_FILE} next to the weights. Screening "
        "holds only above both the policy's hold threshold and this gate."
    )
    parser.add_argument("--data", required=True,
                        help="dataset dir (shared/datasets) or a labelled .jsonl(.gz) file")
    parser.add_argument("--weights", default=str(WEIGHTS_DIR),
                        help="weights directory; the gates are written into it")
    parser.add_argument("--precision", type=float, default=hold_gates.TARGET_PRECISION,
                        help="least precision of holding (default %(default)s)")
    parser.add_argument("--min-held", type=int, default=hold_gates.MIN_HELD,
                        help="least number of held eval texts for a precision to count "
                             "(default %(default)s)")
    parser.add_argument("--confidence", type=float, default=hold_gates.CONFIDENCE,
                        help="the one-sided Wilson lower bound of the precision at this "
                             "confidence must reach --precision too; 0: the point estimate "
                             "alone (default %(default)s)")
    parser.add_argument("--tiers", default="inline,accurate", help="comma-separated tiers")


def model_scores(tier: str, directory: Path, normalised: list[str]) -> np.ndarray:
    """Policy-scale scores of the tier's model alone (the direct-threat rule left out)."""
    if tier == "inline":
        from parley.safety.model.linear import InlineModel

        model = InlineModel(directory)
        rows = [model.calibrate(model.raw_scores(t, model.vector(t))) for t in normalised]
        categories = model.categories
        matrix = np.array(rows)
    else:
        from parley.safety.model.detectors import AccurateDetector

        detector = AccurateDetector(directory)
        matrix = np.vstack([detector.calibrate(detector.raw_scores(normalised[i:i + 64]))
                            for i in range(0, len(normalised), 64)])
        categories = detector.categories
    return np.column_stack([matrix[:, categories.index(c)] if c in categories
                            else np.zeros(len(normalised)) for c in CATEGORIES])


def _rule_counts(texts: list[str], violent: np.ndarray) -> dict:
    fired = np.array([find_direct_threat(normalise(t)) is not None for t in texts], dtype=bool)
    known = violent >= 0
    hits = fired & known
    return {"fired": int(hits.sum()), "true": int((violent[hits] == 1).sum()),
            "texts": int(known.sum())}


def measure_rule(data, data_path: str) -> dict:
    """The direct-threat rule's precision on held-out text: the eval split, EDOS's eval split
    (if present) and the functional suite's measuring part (never trained on)."""
    from parley.safety.model.functional import expand

    parts = {"eval split": _rule_counts(data.texts, data.labels["violence"])}
    edos = Path(data_path) / EDOS_NAME
    if Path(data_path).is_dir() and edos.exists():
        edos_eval = load_split(edos, "eval")
        parts["EDOS eval split"] = _rule_counts(edos_eval.texts, edos_eval.labels["violence"])
    cases = expand()
    parts["functional suite"] = _rule_counts(
        [c.text for c in cases], np.array([1 if c.hateful else 0 for c in cases]))
    fired = sum(p["fired"] for p in parts.values())
    true = sum(p["true"] for p in parts.values())
    return {"fired": fired, "true": true,
            "precision": true / fired if fired else None, "by_source": parts}


def run(options: dict, stdout) -> None:
    directory = Path(options["weights"])
    target, min_held = options["precision"], options["min_held"]
    confidence = options["confidence"]
    tiers = [t.strip() for t in options["tiers"].split(",") if t.strip()]
    started = time.perf_counter()
    data = load_split(options["data"], "eval")
    normalised = [normalise(t) for t in data.texts]
    stdout.write(f"{len(data)} eval texts from {dataset_file(options['data'])}; holding must "
                 f"be >= {target:.0%} precise with >= {min_held} held, and its lower bound "
                 f"at {confidence:.0%} confidence too\n")
    previous = hold_gates.read_file(directory) or {}
    result = {
        "about": "Lowest policy-scale score from which the model alone may hold, measured "
                 "on the eval split by `parley safety calibrate-holds`; null: never hold "
                 "(open a case). Stale when weights_sha256 differs from the weights.",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": dataset_file(options["data"]).name, "split": "eval",
        "target_precision": target, "min_held": min_held, "confidence": confidence,
        "tiers": dict(previous.get("tiers", {})),
    }
    stdout.write(f"\n{'tier':9} {'category':28} {'gate':>7} {'precision':>9} {'recall':>7} "
                 f"{'held':>5} {'true':>5} {'pos':>5}  without the lower bound "
                 "(gate, precision, held)\n")
    for tier in tiers:
        scores = model_scores(tier, directory, normalised)
        categories = {}
        for k, category in enumerate(CATEGORIES):
            gate = hold_gates.lowest_gate(data.labels[category], scores[:, k], target=target,
                                          min_held=min_held, confidence=confidence)
            point = hold_gates.lowest_gate(data.labels[category], scores[:, k], target=target,
                                           min_held=min_held, confidence=0.0)
            gate["point_estimate"] = {key: point[key] for key in
                                      ("threshold", "precision", "held", "true_held")}
            categories[category] = gate
            stdout.write(f"{tier:9} {category:28} {_gate(gate['threshold']):>7} "
                         f"{_pct(gate['precision']):>9} {_pct(gate['recall']):>7} "
                         f"{gate['held']:5d} {gate['true_held']:5d} {gate['positives']:5d}  "
                         f"{_gate(point['threshold'])}, {_pct(point['precision'])}, "
                         f"{point['held']}\n")
        result["tiers"][tier] = {"weights_sha256": hold_gates.weights_sha256(directory, tier),
                                 "categories": categories}
    rule = measure_rule(data, options["data"])
    rule["lower_bound"] = round(hold_gates.wilson_lower(rule["true"], rule["fired"],
                                                        confidence), 4)
    rule["holds"] = bool(rule["fired"] >= min_held and rule["precision"] is not None
                         and rule["precision"] >= target and rule["lower_bound"] >= target)
    result[hold_gates.RULE] = rule
    stdout.write(f"\ndirect-threat rule: {rule['true']} of {rule['fired']} texts it fired on are "
                 f"violent ({_pct(rule['precision'])}); "
                 + ", ".join(f"{name} {p['true']}/{p['fired']}"
                             for name, p in rule["by_source"].items())
                 + f" -> {'may hold' if rule['holds'] else 'opens cases, never holds'}\n")
    path = directory / hold_gates.GATES_FILE
    path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    stdout.write(f"wrote {path} in {time.perf_counter() - started:.0f} s\n")


def _gate(value: float | None) -> str:
    return "never" if value is None else f"{value:.4f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
