"""Benchmark of `parley export` and `parley import` on an instance with many posts.

Creates a few members and posts through the services, then N posts in bulk (a shortcut
for the benchmark only: real posts go through ``create_post``), exports the instance,
empties the database, imports the archive and prints the times and the peak memory.

Uses a new SQLite database in a temporary data dir, or PARLEY_DATABASE_URL if set (which
must point at an empty, migrated database: the benchmark flushes it).

Run: ``.venv/bin/python bench/bench_portability.py [--posts 100000]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def _populate(posts: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from parley.accounts import services as accounts
    from parley.posts import services as post_services
    from parley.posts.models import Post
    from parley.posts.text import render_html

    authors = [accounts.create_user(f"bench{i}", f"bench{i}@example.org", "bench-password-1",
                                    approved=True) for i in range(20)]
    for follower in authors[1:]:
        accounts.follow(follower, authors[0])
    for i in range(20):
        post_services.create_post(authors[i], f"Hello from member {i} #bench")
    now = timezone.now()
    with transaction.atomic():
        batch = []
        for i in range(posts):
            text = f"Post number {i} about the match on Saturday, and who scored in the end."
            batch.append(Post(author=authors[i % len(authors)], text=text,
                              content_html=render_html(text, set()), visibility="public",
                              distributed_at=now, created_at=now))
            if len(batch) == 5000:
                Post.objects.bulk_create(batch)
                batch = []
        Post.objects.bulk_create(batch)


def _timed(name: str, *args: str) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command(name, *args, stdout=StringIO())
    return time.perf_counter() - started


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts to create (100000)")
    options = parser.parse_args()
    own_data_dir = "PARLEY_DATA_DIR" not in os.environ
    if own_data_dir:
        os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-bench-")
    import django

    django.setup()
    from django.core.management import call_command

    from parley.portability.services import check_target_is_empty, count_rows

    call_command("migrate", verbosity=0)
    check_target_is_empty()
    started = time.perf_counter()
    _populate(options.posts)
    rows = count_rows()
    print(f"created {rows} rows ({options.posts} bulk posts) in "
          f"{time.perf_counter() - started:.1f} s; peak RSS {_peak_mb():.0f} MB")
    archive = Path(tempfile.mkdtemp(prefix="parley-bench-archive-")) / "instance.zip"
    exported = _timed("export", str(archive))
    print(f"export: {exported:.1f} s ({rows / exported:.0f} rows/s), archive "
          f"{archive.stat().st_size / 1e6:.1f} MB; peak RSS {_peak_mb():.0f} MB")
    call_command("flush", interactive=False, verbosity=0)
    imported = _timed("import", str(archive))
    print(f"import: {imported:.1f} s ({rows / imported:.0f} rows/s), incl. checksums and "
          f"audit check; peak RSS {_peak_mb():.0f} MB")
    assert count_rows() == rows
    shutil.rmtree(archive.parent)
    call_command("flush", interactive=False, verbosity=0)  # leave the database empty again
    if own_data_dir:
        shutil.rmtree(os.environ["PARLEY_DATA_DIR"])


if __name__ == "__main__":
    main()
