"""What each account signal does to false holds: clean texts held by the screening tiers.

Takes the clean texts of the dataset's eval split (every known label 0; never the train
split), scores each once with the built-in model's inline and accurate tiers, then applies
the policy as the pipeline does (``pipeline._apply_policy`` and ``pipeline.apply_signals``)
with no signal, with each signal alone, and with both. A post is held if either tier holds it.

Prints e.g. "clean texts held: model alone x%, + new account y%, + burst z%". Before the
new-account signal became relative to the instance, every member of a new instance was
"new", so every post of a new instance was screened at the "+ new account" rate.

Run: ``.venv/bin/python bench/bench_signals.py [--data /work/shared/datasets] [--limit N]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("OMP_NUM_THREADS", "1")

DEFAULT_DATA = "/work/shared/datasets"
BATCH = 256


def scenarios() -> dict[str, tuple[tuple[str, float], ...]]:
    """The signals of each scenario, with the shifts the policy gives them."""
    from parley.safety import policy

    new = ("new account", policy.ACCOUNT_SIGNALS["new_account"]["shift"])
    burst = ("20 posts in 10 min", policy.ACCOUNT_SIGNALS["posting_velocity"]["shift"])
    return {"model alone": (), "+ new account": (new,), "+ burst": (burst,),
            "+ new account + burst": (new, burst)}


def clean_eval_texts(data: str, limit: int | None) -> list[str]:
    from parley.safety.model.data import load_split

    rows = load_split(data, "eval")
    texts = [text for text, clean in zip(rows.texts, rows.clean, strict=True) if clean]
    return texts[:limit] if limit else texts


def score(detector, texts: list[str]) -> list:
    results = []
    for start in range(0, len(texts), BATCH):
        results.extend(detector.score_batch(texts[start:start + BATCH]))
    return results


def held_by(result, tier: str, found) -> bool:
    from parley.safety.screening import pipeline

    verdict = pipeline.ScreeningVerdict(tier=tier, results=[result])
    pipeline._apply_policy(verdict, result)
    if verdict.outcome in ("publish", "case"):
        pipeline.apply_signals(verdict, found)
    return verdict.outcome in ("hold", "reject")


def false_holds(inline_results: list, accurate_results: list) -> dict[str, int]:
    """How many clean texts each scenario holds (inline tier, then the accurate tier)."""
    from parley.safety.screening.signals import AccountSignals

    counts = {}
    for name, signals in scenarios().items():
        found = AccountSignals(signals)
        counts[name] = sum(
            held_by(inline, "inline", found) or held_by(accurate, "accurate", found)
            for inline, accurate in zip(inline_results, accurate_results, strict=True)
        )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder of the dataset")
    parser.add_argument("--limit", type=int, default=None, help="only the first N clean texts")
    options = parser.parse_args()
    import django

    django.setup()
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    from parley.safety.model import accurate_detector, inline_detector

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()  # a throwaway database: the policy reads its overrides
    try:
        texts = clean_eval_texts(options.data, options.limit)
        started = time.perf_counter()
        inline_results = score(inline_detector(), texts)
        accurate_results = score(accurate_detector(), texts)
        seconds = time.perf_counter() - started
        counts = false_holds(inline_results, accurate_results)
    finally:
        runner.teardown_databases(old)
    total = len(texts)
    print(f"{total} clean texts of the eval split, scored by both tiers in {seconds:.0f} s")
    print("clean texts held: " + ", ".join(
        f"{name} {100 * held / total:.2f}% ({held})" for name, held in counts.items()))
    for name, held in counts.items():
        print(f"  {name:<24} {held:>6}  {10000 * held / total:7.1f} per 10,000 clean posts")


if __name__ == "__main__":
    main()
