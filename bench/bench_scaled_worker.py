"""How fast a scaled `parley worker` (RQ on Redis, PostgreSQL) screens and fans out posts
queued while no worker ran: the queue is filled first, then a worker is started and timed.

    PARLEY_DATABASE_URL=postgres://... PARLEY_REDIS_URL=redis://127.0.0.1:6399/4 \\
      .venv/bin/python bench/bench_scaled_worker.py [--posts 200] [--followers 50] \\
      [--concurrency 1]

Posts go through ``create_post`` (the API's door: committed, then queued on RQ). Prints the
time from the worker's start to the last fan-out, and the fan-out rate from the first
distributed post to the last (the worker's start-up, loading the screening model, left out).
Uses (and empties) the RQ queues and the posts of its own members on that database."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def setup_django() -> None:
    sys.path.insert(0, str(SRC))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    os.environ.setdefault("PARLEY_RATE_LIMITS", "off")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def community(followers: int):
    """An author followed by ``followers`` members (made once, reused by later runs)."""
    from parley.accounts import services as accounts
    from parley.accounts.models import User

    def member(name: str) -> User:
        found = User.objects.filter(username=name).first()
        return found or accounts.create_user(name, f"{name}@example.org", "bench-password-1",
                                             approved=True)

    author = member("wbench_author")
    fans = [member(f"wbench_fan{n}") for n in range(followers)]
    accounts.follow_many((fan.pk, author.pk) for fan in fans)
    return author


def queue_posts(author, count: int) -> list[int]:
    import django_rq
    from django.conf import settings

    from parley.posts import services as posts

    for name in settings.PARLEY_TASK_QUEUES:
        django_rq.get_queue(name).empty()
    texts = ["Fresh bread at the corner bakery this morning", "The tram is late again",
             "Finished the crossword before lunch", "Rain all week, the garden is happy"]
    return [posts.create_post(author, f"{texts[n % 4]} ({n})").pk for n in range(count)]


def run_worker(ids: list[int], concurrency: int, timeout: float) -> tuple[float, float]:
    """(seconds from start to the last fan-out, posts/s between the first and the last)."""
    from django.db.models import Max, Min

    from parley.posts.models import Post

    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    log = Path(os.environ.get("PARLEY_DATA_DIR", "/tmp")) / "bench-worker.log"
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "-m", "parley.cli", "worker", "--jobs-interval", "0",
         "--recovery-interval", "0", "--queues", "safety,fanout",
         "--concurrency", str(concurrency)],
        env=environment, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    posts = Post.objects.filter(pk__in=ids)
    try:
        while posts.filter(distributed_at__isnull=True).exists():
            if time.monotonic() - started > timeout or worker.poll() is not None:
                raise SystemExit(f"the worker did not fan out all {len(ids)} posts: see {log}")
            time.sleep(0.05)
        total = time.monotonic() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print(f"the worker did not stop on SIGTERM within 30 s: killed; see {log}")
            os.killpg(worker.pid, signal.SIGKILL)
    span = posts.aggregate(first=Min("distributed_at"), last=Max("distributed_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    return total, (len(ids) - 1) / seconds if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--followers", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    if not os.environ.get("PARLEY_REDIS_URL"):
        raise SystemExit("set PARLEY_REDIS_URL (and PARLEY_DATABASE_URL): a scaled worker")
    setup_django()
    author = community(args.followers)
    ids = queue_posts(author, args.posts)
    total, rate = run_worker(ids, args.concurrency, args.timeout)
    print(f"{args.posts} posts, {args.followers} followers, concurrency {args.concurrency}: "
          f"worker start to last fan-out {total:.1f} s; {rate:.1f} posts/s once running")


if __name__ == "__main__":
    main()
