"""`parley safety eval --data FILE`: quality and speed of the built-in detectors."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from parley.safety.model.data import CATEGORIES, load_split
from parley.safety.model.evaluate import (
    category_report,
    core_speed_us,
    posts_of_length,
    scores_matrix,
    throughput,
)
from parley.safety.policy import POLICY

# More distinct posts than the detectors' caches hold (threat patterns: 512), so that the
# timing never scores a post the caches have seen.
POSTS_TIMED = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Score a labelled JSONL(.gz) file (the format of shared/datasets) with each tier and "
        "print AUPRC, ROC-AUC, precision/recall at the policy's hold and case thresholds, "
        "clean text held, and throughput."
    )
    parser.add_argument("--data", default=None,
                        help="labelled .jsonl or .jsonl.gz, or a dir (needed unless --functional)")
    parser.add_argument("--functional", action="store_true",
                        help="score the functional suite (measuring part) and print flagged %%, "
                             "held %% and the group-swap score change per functionality")
    parser.add_argument("--split", default="eval", help="rows of this split; 'all' for every row")
    parser.add_argument("--tiers", default="inline,accurate",
                        help="comma-separated: inline, accurate")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per speed test")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N rows")
    parser.add_argument("--weights", default=None,
                        help="weights directory (default: the shipped model)")


def _fmt(value: float) -> str:
    return "   n/a" if value != value else f"{value:6.3f}"


def _print_reports(stdout, title: str, data, scores: np.ndarray) -> None:
    stdout.write(f"\n== {title}\n")
    stdout.write(
        f"{'category':28} {'known':>6} {'pos':>5} {'AUPRC':>6} {'ROCAUC':>6} "
        f"{'P@hold':>6} {'R@hold':>6} {'R@case':>6} {'P@case':>6} {'clean held':>10} "
        f"{'clean case':>10}\n"
    )
    for k, category in enumerate(CATEGORIES):
        r = category_report(category, data, scores[:, k])
        stdout.write(
            f"{category:28} {r.known:6d} {r.positives:5d} {_fmt(r.auprc)} {_fmt(r.roc_auc)} "
            f"{_fmt(r.hold_precision)} {_fmt(r.hold_recall)} {_fmt(r.case_recall)} "
            f"{_fmt(r.case_precision)} {r.clean_held:10.4f} {r.clean_cased:10.4f}\n"
        )
    held_any = np.zeros(len(scores), dtype=bool)
    for k, category in enumerate(CATEGORIES):
        hold = POLICY[category].hold
        if hold is not None:
            held_any |= scores[:, k] >= hold
    clean = data.clean
    hold, case = _policy_thresholds()
    violent = data.labels["violence"] == 1
    if violent.any():
        flagged = (scores[violent] >= case).any(axis=1)
        held = (scores[violent] >= hold).any(axis=1)
        stdout.write(f"violence positives flagged (any category >= its case threshold): "
                     f"{flagged.mean():.3f}; held: {held.mean():.3f} (of {int(violent.sum())})\n")
    stdout.write(
        f"clean texts held for any category: {int(held_any[clean].sum())} of {int(clean.sum())}"
        f" ({held_any[clean].mean() if clean.any() else 0:.4f})\n"
    )


def print_gates(stdout, detectors: dict, data=None, all_scores: dict | None = None) -> None:
    """The hold gates each tier screens with (``calibrate-holds``), and what they hold here."""
    from parley.safety.model import hold_gates

    stdout.write("\n== hold gates: the model alone holds only at a score >= both the policy's "
                 "hold threshold and the gate measured >= 95% precise on eval "
                 "(`parley safety calibrate-holds`)\n")
    rule = None
    for name, detector in detectors.items():
        gates = detector.gates
        measured = {}
        try:
            found = hold_gates.read_file(detector.directory) or {}
            measured = found.get("tiers", {}).get(name, {}).get("categories", {})
            rule = found.get(hold_gates.RULE, rule)
        except (OSError, ValueError):
            pass
        stdout.write(f"-- {name} tier: gates {gates.status}\n")
        for k, category in enumerate(CATEGORIES):
            entry = measured.get(category, {})
            gate = gates.threshold(category)
            point = entry.get("point_estimate", {})
            if gate is None:
                line = f"{category:28} never holds alone (cases instead): no threshold reaches it"
            else:
                line = (f"{category:28} gate {gate:.4f}: precision "
                        f"{_maybe(entry.get('precision'))} over {entry.get('held', 0)} held")
            line += (f"; best lower bound {_maybe(entry.get('best_lower_bound'))}, point "
                     f"estimate alone: {_maybe(point.get('threshold'))} "
                     f"({_maybe(point.get('precision'))}, {point.get('held', 0)} held)")
            if data is not None and all_scores and name in all_scores:
                hold = POLICY[category].hold
                bar = max(hold if hold is not None else np.inf,
                          gate if gate is not None else np.inf)
                held = all_scores[name][:, k] >= bar
                positives = data.labels[category] == 1
                line += (f"; here holds {int(held[positives].sum())} of "
                         f"{int(positives.sum())} positives, {int(held[data.clean].sum())} clean")
            stdout.write(line + "\n")
    if rule:
        stdout.write(f"direct-threat rule: {rule.get('true')} of {rule.get('fired')} held-out "
                     f"texts it fires on are violent ({_maybe(rule.get('precision'))}): "
                     f"{'may hold' if rule.get('holds') else 'opens cases, never holds'}\n")


def _maybe(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def _as_screened(inline: np.ndarray, accurate: np.ndarray) -> np.ndarray:
    """The score a new post ends with: the accurate tier's, or the inline tier's if that holds.

    Mirrors the pipeline: the inline tier holds at create_post and leaves cases to the
    accurate tier (``InlineDetector.case_tier``)."""
    holds = np.array([POLICY[c].hold if POLICY[c].hold is not None else np.inf
                      for c in CATEGORIES])
    return np.where(inline >= holds, np.maximum(inline, accurate), accurate)


class _Both:
    """Every tier one after the other: the screening work one post costs in all."""

    def __init__(self, detectors: list) -> None:
        self.detectors = detectors

    def score(self, text: str) -> list:
        return [d.score(text) for d in self.detectors]

    def score_batch(self, texts: list[str]) -> list:
        return [d.score_batch(texts) for d in self.detectors]


class _Explained:
    """A detector whose evidence is read for every post, as if each post were held or cased
    (evidence is otherwise worked out only when an outcome is recorded)."""

    def __init__(self, detector) -> None:
        self.detector = detector

    def score(self, text: str):
        result = self.detector.score(text)
        dict(result.evidence)
        return result

    def score_batch(self, texts: list[str]) -> list:
        return [self.score(text) for text in texts]


def _detectors(names: list[str], weights: str | None) -> dict:
    from parley.safety.model import (
        AccurateDetector,
        InlineDetector,
        accurate_detector,
        inline_detector,
    )

    if weights:
        loaders = {"inline": lambda: InlineDetector(Path(weights)),
                   "accurate": lambda: AccurateDetector(Path(weights))}
    else:
        loaders = {"inline": inline_detector, "accurate": accurate_detector}
    return {name: loaders[name]() for name in names}


def _policy_thresholds() -> tuple[np.ndarray, np.ndarray]:
    """(hold, case) per category; ``inf`` where the policy has none."""
    hold = [POLICY[c].hold if POLICY[c].hold is not None else np.inf for c in CATEGORIES]
    case = [POLICY[c].case if POLICY[c].case is not None else np.inf for c in CATEGORIES]
    return np.array(hold), np.array(case)


def functional_scores(detectors: dict) -> tuple[list, dict[str, np.ndarray]]:
    """The measuring part's cases and their scores per tier (and both tiers, as screened)."""
    from parley.safety.model.functional import expand

    cases = expand()
    texts = [c.text for c in cases]
    scores = {name: scores_matrix(d.score_batch, texts) for name, d in detectors.items()}
    if "inline" in scores and "accurate" in scores:
        scores["both"] = _as_screened(scores["inline"], scores["accurate"])
    return cases, scores


def run_functional(detectors: dict, stdout) -> None:
    from parley.safety.model.functional import functional_reports

    cases, all_scores = functional_scores(detectors)
    hold, case = _policy_thresholds()
    stdout.write(f"\n== functional suite (measuring part, never trained on): {len(cases)} cases; "
                 f"flagged = a score >= its case threshold, held = >= its hold threshold "
                 f"({', '.join(f'{c} {POLICY[c].case}/{POLICY[c].hold}' for c in CATEGORIES)}); "
                 "swap = mean |score change| when only the group changes\n")
    for name, scores in all_scores.items():
        stdout.write(f"\n-- {name} tier{'s (as screened)' if name == 'both' else ''}\n")
        stdout.write(f"{'functionality':20} {'should':>8} {'cases':>6} {'flagged':>8} "
                     f"{'held':>7} {'swap':>6}\n")
        for r in functional_reports(cases, scores, hold, case):
            should = "flag" if r.hateful else "pass"
            if r.functionality == "ALL":
                should = "-"
            stdout.write(f"{r.functionality:20} {should:>8} {r.cases:6d} {r.flagged:8.1%} "
                         f"{r.held:7.1%} {_fmt(r.swap_delta)}\n")


def run(options: dict, stdout) -> None:
    if options.get("functional"):
        tiers = [t.strip() for t in options["tiers"].split(",") if t.strip()]
        run_functional(_detectors(tiers, options.get("weights")), stdout)
        if not options.get("data"):
            return
    if not options.get("data"):
        raise SystemExit("parley safety eval: give --data FILE, --functional, or both")
    split = None if options["split"] == "all" else options["split"]
    data = load_split(options["data"], split)
    if options.get("limit"):
        data = data.subset(np.arange(min(options["limit"], len(data))))
    tiers = [t.strip() for t in options["tiers"].split(",") if t.strip()]
    stdout.write(f"{len(data)} texts from {options['data']} (split: {options['split']})\n")
    detectors = _detectors(tiers, options.get("weights"))
    all_scores = {}
    for name, detector in detectors.items():
        all_scores[name] = scores_matrix(detector.score_batch, data.texts)
        _print_reports(stdout, f"{name} tier", data, all_scores[name])
    if len(all_scores) > 1:
        combined = _as_screened(all_scores["inline"], all_scores["accurate"])
        _print_reports(stdout, "both tiers (held if either tier holds; cases from the accurate "
                               "tier)", data, combined)
    print_gates(stdout, detectors, data, all_scores)
    posts = posts_of_length(data.texts, count=POSTS_TIMED)
    stdout.write(f"\n== throughput, one core, {len(posts)} posts of 280 characters\n")
    stdout.write(f"(this core runs sum(range(1000)) in {core_speed_us():.0f} µs; "
                 "posts/s scale inversely with it across machines)\n")
    timed = dict(detectors)
    if "inline" in detectors:
        timed["inline, evidence read"] = _Explained(detectors["inline"])
    if len(detectors) > 1:
        timed["both"] = _Both(list(detectors.values()))
    for name, detector in timed.items():
        single, p99, batched = throughput(detector, posts, options["seconds"])
        stdout.write(
            f"{name:22} one at a time: {single:8.0f} posts/s (p99 {p99:.2f} ms)   "
            f"batched: {batched:8.0f} posts/s\n"
        )
