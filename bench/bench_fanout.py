"""Benchmark of fan-out to 10,000 followers: the delay from a post to its distribution.

Creates an account followed by ``--followers`` members (``accounts.follow_many``), then
makes ``--posts`` posts through ``create_post`` and runs each one's fan-out task
(``timelines.tasks.distribute_post``: the accurate screening tier, the followers' Redis
feeds in scaled mode, the mark) in this process as soon as the post commits, as the worker
would. Prints p50/p99 of ``distributed_at - created_at`` (the load bench's definition);
in scaled mode it also checks that every follower's Redis feed holds every post. The
worker's queue pick-up time is not included (see ``parley bench load`` for that).

Embedded (SQLite in a temporary data dir):
    .venv/bin/python bench/bench_fanout.py [--followers 10000] [--posts 7] [--profile]
Scaled (a fresh database; the Redis database is used for feeds, not flushed):
    PARLEY_DATABASE_URL=postgres://... PARLEY_REDIS_URL=redis://... bench/bench_fanout.py
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
if not os.environ.get("PARLEY_DATABASE_URL"):
    os.environ.setdefault("PARLEY_DATA_DIR", tempfile.mkdtemp(prefix="parley-fanout-"))


def _members(prefix: str, count: int) -> list:
    from django.db import transaction
    from django.test.utils import override_settings

    from parley.accounts.models import Role
    from parley.core.loadbench.seed import FAST_HASHERS, _create

    made = []
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        for start in range(0, count, 500):
            with transaction.atomic():
                made += [_create(f"{prefix}f{i}", Role.MEMBER)
                         for i in range(start, min(start + 500, count))]
    return made


def _open_feeds(user_ids: list[int]) -> None:
    """Scaled mode: give every follower a ready (empty) feed, as active members have;
    fan-out writes only to feeds that exist."""
    from parley.timelines import feeds

    for pk in user_ids:
        feeds.finish_building(pk, [])


def _feeds_holding(post_id: int, user_ids: list[int]) -> int:
    from parley.timelines import feeds

    pipe = feeds.client().pipeline(transaction=False)
    for pk in user_ids:
        pipe.zscore(feeds.feed_key(pk), post_id)
    return sum(score is not None for score in pipe.execute())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="cProfile the fan-outs")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from parley.accounts import services as accounts
    from parley.core.loadbench.seed import _create
    from parley.posts import services as posts
    from parley.posts.models import Post
    from parley.safety.screening import pipeline
    from parley.timelines import feeds
    from parley.timelines import services as timelines
    from parley.timelines.tasks import distribute_post

    prefix = f"fo{os.getpid()}_"
    started = time.perf_counter()
    star = _create(f"{prefix}star", "member")
    followers = _members(prefix, args.followers)
    made = accounts.follow_many([(f.pk, star.pk) for f in followers])
    follower_ids = [f.pk for f in followers]
    scaled = feeds.enabled()
    if scaled:
        _open_feeds(follower_ids)
    pipeline.warm_up()
    print(f"{'scaled' if scaled else 'embedded'}: {made} followers in "
          f"{time.perf_counter() - started:.0f} s", flush=True)

    profile = cProfile.Profile() if args.profile else None
    delays, holding = [], []
    for i in range(args.posts):
        with timelines.fan_outs_held() as held:
            post = posts.create_post(star, f"News for all {made} of you, part {i}")
        if profile:
            profile.enable()
        outcome = distribute_post.call(held[0], True)
        if profile:
            profile.disable()
        post = Post.objects.get(pk=post.pk)
        delays.append((post.distributed_at - post.created_at).total_seconds())
        if scaled:
            holding.append(_feeds_holding(post.pk, follower_ids))
        print(f"post {i}: {outcome} in {delays[-1] * 1000:.0f} ms"
              + (f", in {holding[-1]} feeds" if scaled else ""), flush=True)
    from parley.core.loadbench.run import percentile

    print(f"fan-out to {made} followers, {len(delays)} posts: "
          f"p50 {percentile(delays, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(delays, 0.99) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
