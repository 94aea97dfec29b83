"""Benchmark of the built-in model where users feel it: posting and reaching followers.

Prints (one core, 280-character posts):
- the latency the inline tier adds to ``create_post`` (p50/p99, via the screening pipeline);
- the accurate tier's latency per post;
- the time from an accepted post to its appearance on a follower's home timeline, with the
  fan-out (accurate tier + distribution) run in-process as soon as the post commits.

Run: ``.venv/bin/python bench/bench_model.py [--posts 300]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("OMP_NUM_THREADS", "1")

SAMPLE = (
    "Went to the match with my brother and the whole stadium was shouting when they scored "
    "in the last minute. Honestly the best game of the season, and the pub afterwards was "
    "packed. Next week we play away, so if anyone has a spare ticket let me know, I'll pay. "
)


def _posts(count: int) -> list[str]:
    """Distinct posts (no cache inside the detectors gets a second look at one)."""
    words = (SAMPLE * 4).split()
    return [f"Day {i}: " + " ".join(words[i % 20 :] + words[: i % 20])[:270]
            for i in range(count)]


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
    return f"p50 {p50:.2f} ms  p99 {p99:.2f} ms  ({len(ordered) / sum(ordered):.0f} posts/s)"


def _timed(function, posts: list[str]) -> list[float]:
    function(posts[0])  # loads models once
    samples = []
    for text in posts:
        started = time.perf_counter()
        function(text)
        samples.append(time.perf_counter() - started)
    return samples


def bench_tiers(posts: list[str]) -> None:
    from parley.safety.model import accurate_detector, inline_detector
    from parley.safety.screening import pipeline

    model = _timed(inline_detector().score, posts)
    print(f"inline model alone:                {_percentiles(model)}")
    screening = _timed(lambda text: pipeline.screen_new_post(None, text, "", []), posts)
    print(f"inline screening in create_post:   {_percentiles(screening)}  (all inline detectors)")
    detector = accurate_detector()
    detector.score(posts[0])
    accurate = []
    for text in posts[:100]:
        started = time.perf_counter()
        detector.score(text)
        accurate.append(time.perf_counter() - started)
    print(f"accurate tier per post:            {_percentiles(accurate)}")


def bench_timeline(posts: list[str]) -> None:
    """Accepted post -> follower's home timeline, fan-out run in-process (ImmediateBackend)."""
    from parley.accounts import services as accounts
    from parley.posts.services import create_post
    from parley.timelines.selectors import home_timeline

    author = accounts.create_user("bench_author", "a@bench.test", "correct-horse-battery",
                                  approved=True)
    reader = accounts.create_user("bench_reader", "r@bench.test", "correct-horse-battery",
                                  approved=True)
    accounts.follow(reader, author)
    samples = []
    for text in posts[:50]:
        started = time.perf_counter()
        post = create_post(author, text)  # returns after commit and in-process fan-out
        if not home_timeline(reader).filter(pk=post.pk).exists():
            print(f"post {post.pk} did not reach the timeline")
            continue
        samples.append(time.perf_counter() - started)
    print(f"create_post -> follower timeline:  {_percentiles(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--skip-timeline", action="store_true")
    options = parser.parse_args()
    import logging

    import django

    django.setup()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()  # a throwaway database (the test settings' one)
    try:
        from parley.safety.model.evaluate import core_speed_us

        print(f"this core runs sum(range(1000)) in {core_speed_us():.0f} µs (lower is faster)")
        posts = _posts(options.posts)
        bench_tiers(posts)
        if not options.skip_timeline:
            bench_timeline(posts)
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
