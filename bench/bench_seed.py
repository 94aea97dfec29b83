"""Benchmark of seeding the load bench's posts: seconds per 10k posts, created and fanned out.

Seeds ``--members`` members with the load bench's follows, then ``--posts`` posts with the
load bench's ``_seed_posts`` (``create_post`` for each, fan-out in bulk per batch of 500).
With ``--one-by-one`` the same posts are made with ``create_post`` and then each one's
fan-out task (``distribute_post``) is run in this process, as the worker would run it
(without the worker's queue pick-up), which is what seeding did before the bulk path.

Embedded (SQLite in a temporary data dir), or scaled with PARLEY_DATABASE_URL (an empty
database) and PARLEY_REDIS_URL set:
    .venv/bin/python bench/bench_seed.py [--members 1000] [--posts 10000] [--one-by-one]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
if not os.environ.get("PARLEY_DATABASE_URL"):
    os.environ.setdefault("PARLEY_DATA_DIR", tempfile.mkdtemp(prefix="parley-seed-"))


def _one_by_one(members: list, count: int) -> tuple[float, float]:
    """(seconds creating, seconds fanning out) with a fan-out task per post."""
    from django.db import transaction

    from parley.core.loadbench.seed import TEXTS
    from parley.posts import services as posts
    from parley.timelines import services as timelines
    from parley.timelines.tasks import distribute_post

    rng = random.Random(1)
    started = time.perf_counter()
    ids: list[int] = []
    for start in range(0, count, 500):
        with timelines.fan_outs_held() as held, transaction.atomic():
            for i in range(start, min(start + 500, count)):
                posts.create_post(rng.choice(members), f"{TEXTS[i % len(TEXTS)]} ({i})")
        ids += held
    created = time.perf_counter() - started
    started = time.perf_counter()
    for pk in ids:
        distribute_post.call(pk, True)
    return created, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--one-by-one", action="store_true",
                        help="a fan-out task per post instead of the bulk fan-out")
    parser.add_argument("--profile", action="store_true", help="cProfile the posts")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from parley.accounts.models import User
    from parley.core.loadbench import seed
    from parley.safety.screening import pipeline

    prefix = f"sd{os.getpid()}_"
    seed.seed_community({"prefix": prefix, "members": args.members, "posts": 0},
                        lambda *_: None)
    members = list(User.objects.filter(username__startswith=f"{prefix}m").order_by("pk"))
    pipeline.warm_up()
    profile = cProfile.Profile() if args.profile else None
    if profile:
        profile.enable()
    started = time.perf_counter()
    if args.one_by_one:
        created, fanned = _one_by_one(members, args.posts)
    else:
        timings: dict[str, float] = {}
        seed._seed_posts(members, args.posts, random.Random(1), lambda *_: None, timings)
        fanned = timings["fanout_in_bulk_s"]
        created = time.perf_counter() - started - fanned
    if profile:
        profile.disable()
    per = 10_000 / args.posts
    print(f"{'one by one' if args.one_by_one else 'bulk'}: {args.posts} posts, "
          f"create_post {created * per:.0f} s per 10k, fan-out {fanned * per:.0f} s per 10k, "
          f"total {(created + fanned) * per:.0f} s per 10k")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
