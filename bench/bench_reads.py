"""Read throughput of the Mastodon API: requests/s, p50/p99 latency and SQL queries per request.

Builds a community through the services (members, follows, posts with replies, echoes,
likes, media, mentions and tags) in a new SQLite database under a temporary data dir (or
PARLEY_DATABASE_URL if set: an empty database, which it migrates and fills), then times
in-process requests through Django's test client with a real OAuth bearer token, got the
way apps get one (POST /api/v1/apps, then the password grant at /oauth/token). A bare
Django JSON view, added only here, is the ceiling.

Run: ``.venv/bin/python bench/bench_reads.py [--members 50] [--posts 2000] [--requests 200]``

Building the community takes minutes (each post goes through screening and fan-out); with
``PARLEY_DATA_DIR=DIR`` set, the database there is kept, and reused by later runs.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
# The fan-out of each post runs as soon as it is committed, as the worker would.
os.environ.setdefault("PARLEY_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("PARLEY_RATE_LIMITS", "off")
os.environ.setdefault("PARLEY_LOG_LEVEL", "WARNING")

PASSWORD = "bench-password-1"
TEXTS = [
    "Morning run along the river, the fog was lifting over the bridge #running",
    "Finished the book club pick, the ending was a real surprise #books",
    "The bakery on the corner has rye bread again, worth the queue #food",
    "Our team lost again on Saturday, the defence fell apart #football",
    "Repaired the bike's back wheel myself, only one spoke left over",
]


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _media(owner, n: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parley.posts import services as posts

    upload = SimpleUploadedFile(f"photo{n}.png", _png(), content_type="image/png")
    return posts.attach_media(owner, upload, description=f"photo {n}")


def _post(members: list, i: int, rng: random.Random, recent: list) -> None:
    from parley.posts import services as posts

    author = rng.choice(members)
    text = f"{TEXTS[i % len(TEXTS)]} ({i})"
    if i % 7 == 0:
        text += f" @{rng.choice(members).username}"
    options: dict = {}
    if i % 5 == 0 and recent:
        options["in_reply_to"] = rng.choice(recent)
    if i % 25 == 0:
        options["media_ids"] = [_media(author, i).pk]
    post = posts.create_post(author, text, **options)
    recent.append(post)
    del recent[:-50]
    if i % 11 == 0 and len(recent) > 2:
        original = rng.choice(recent[:-1])
        if original.author_id != author.pk:
            posts.create_post(author, reblog_of=original)
    for liker in rng.sample(members, 2):
        posts.favourite(liker, post)
    if i % 13 == 0:
        posts.bookmark(members[0], post)


def build_community(n_members: int, n_posts: int, seed: int = 1) -> list:
    from parley.accounts import services as accounts

    rng = random.Random(seed)
    members = [
        accounts.create_user(f"member{i}", f"member{i}@example.org", PASSWORD, approved=True)
        for i in range(n_members)
    ]
    for member in members:
        for other in rng.sample(members, min(20, n_members)):
            if other.pk != member.pk:
                accounts.follow(member, other)
    recent: list = []
    for i in range(n_posts):
        _post(members, i, rng, recent)
    return members


def bearer_token(client, username: str) -> str:
    """A token as an app gets one: register the app, then the password grant."""
    app = client.post("/api/v1/apps", {"client_name": "bench", "scopes": "read write follow",
                                        "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}).json()
    token = client.post("/oauth/token", {
        "grant_type": "password", "username": f"{username}@example.org", "password": PASSWORD,
        "client_id": app["client_id"], "client_secret": app["client_secret"],
        "scope": "read write follow"}).json()
    return token["access_token"]


def time_requests(get: Callable, url: str, count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):  # warm up
        response = get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as captured:
        get(url)
    queries = len(captured.captured_queries)
    timings = []
    started = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        get(url)
        timings.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    timings.sort()
    return {"rps": count / elapsed, "p50": statistics.median(timings),
            "p99": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
            "queries": queries}


def add_ceiling_view() -> str:
    """A bare Django JSON view, appended to the URLconf for this process only."""
    from django.http import JsonResponse
    from django.urls import clear_url_caches, path

    from parley import urls

    urls.urlpatterns.append(
        path("bench-ceiling", lambda request: JsonResponse({"ok": True}), name="bench-ceiling")
    )
    clear_url_caches()
    return "/bench-ceiling"


def endpoints(reader, author, post_id: int) -> list[tuple[str, str]]:
    return [
        ("bare Django JSON view (ceiling)", add_ceiling_view()),
        ("GET /api/v1/timelines/home", "/api/v1/timelines/home?limit=20"),
        ("GET /api/v1/timelines/public", "/api/v1/timelines/public?limit=20"),
        ("GET /api/v1/statuses/:id", f"/api/v1/statuses/{post_id}"),
        ("GET /api/v1/accounts/:id/statuses", f"/api/v1/accounts/{author.pk}/statuses?limit=20"),
        ("GET /api/v1/notifications", "/api/v1/notifications?limit=20"),
    ]


def _setup_database() -> str | None:
    own = None
    if "PARLEY_DATA_DIR" not in os.environ:
        own = tempfile.mkdtemp(prefix="parley-bench-reads-")
        os.environ["PARLEY_DATA_DIR"] = own
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    return own


def _busiest_post(reader):
    """A reply that was echoed and liked, with a media attachment if there is one."""
    from parley.posts.models import Post, PostState

    posts = Post.objects.filter(state=PostState.PUBLISHED, reblog_of__isnull=True,
                                distributed_at__isnull=False, visibility="public")
    return (posts.filter(in_reply_to__isnull=False, media__isnull=False).first()
            or posts.filter(in_reply_to__isnull=False).first() or posts.first())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    options = parser.parse_args()
    own_dir = _setup_database()
    try:
        run(options)
    finally:
        if own_dir:
            shutil.rmtree(own_dir, ignore_errors=True)


def run(options: argparse.Namespace) -> None:
    from django.test import Client

    from parley.accounts.models import User
    from parley.posts.models import Post

    started = time.perf_counter()
    members = list(User.objects.filter(username__startswith="member").order_by("id"))
    if not members:
        members = build_community(options.members, options.posts)
    print(f"community: {len(members)} members, {Post.objects.count()} posts "
          f"(ready in {time.perf_counter() - started:.0f} s)")
    reader = members[0]
    client = Client()
    token = bearer_token(client, reader.username)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(url: str):
        return client.get(url, **headers)

    post = _busiest_post(reader)
    print(f"{'endpoint':38} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'queries':>7}")
    for name, url in endpoints(reader, post.author, post.pk):
        result = time_requests(get, url, options.requests)
        print(f"{name:38} {result['rps']:7.0f} {result['p50']:7.1f} {result['p99']:7.1f} "
              f"{result['queries']:7d}")


if __name__ == "__main__":
    main()
