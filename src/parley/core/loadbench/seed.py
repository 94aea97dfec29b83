"""Generate the load bench's community through Parley's services, inside the server's
environment (`parley bench load-seed`), and read back what the run did (`load-stats`).

Members and posts go through the same services as every other caller (create_user,
create_post with screening), in transactions of a few hundred so a commit is not paid per
row. Each batch of posts is then fanned out at once (`timelines.distribute_in_bulk`: the
accurate screening tier in batches, one update marking them distributed) instead of one
worker task per post; the power-law follows through `accounts.follow_many`, the bulk door
for a graph that already exists (the same rules as `follow`, no notifications: see its
docstring)."""

from __future__ import annotations

import bisect
import itertools
import random
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from parley.accounts import services as accounts
from parley.accounts.models import Role, User
from parley.posts import services as posts
from parley.posts.models import Post
from parley.safety.cases import services as cases
from parley.safety.policy import effective_policy
from parley.safety.screening import pipeline
from parley.timelines import services as timelines

BATCH = 500
MEMBER_SCOPES = "read write follow"
MODERATOR_SCOPES = "read write admin:read admin:write"
POSTING_TOKENS = 200  # members whose tokens the posting load rotates through
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEXTS = [
    "Morning run along the river, the fog was lifting over the bridge #running",
    "Finished the book club pick, the ending was a real surprise #books",
    "The bakery on the corner has rye bread again, worth the queue",
    "Our team lost again on Saturday, the defence fell apart #football",
    "Repaired the bike's back wheel myself, only one spoke left over",
    "The library extends its opening hours from next week",
]
Progress = Callable[[str, int, int], None]


def _batched(items: range, size: int = BATCH) -> Iterator[range]:
    for start in range(items.start, items.stop, size):
        yield range(start, min(start + size, items.stop))


def zipf_picker(n: int, rng: random.Random, exponent: float = 1.0) -> Callable[[], int]:
    """Index 0..n-1 drawn with weight 1/(i+1)^exponent: member 0 is the most followed."""
    cumulative = list(itertools.accumulate(1 / (i + 1) ** exponent for i in range(n)))
    total = cumulative[-1]
    return lambda: min(n - 1, bisect.bisect_left(cumulative, rng.random() * total))


def follow_counts(n: int, rng: random.Random) -> list[int]:
    """How many accounts each member follows: Pareto-distributed, mean about 15."""
    return [min(n - 1, max(1, int(5 * rng.paretovariate(1.5)))) for _ in range(n)]


def seed_community(spec: dict, progress: Progress) -> dict:
    """Create ``spec['members']`` members, their follows and ``spec['posts']`` posts."""
    rng = random.Random(spec.get("seed", 1))
    prefix, n, m = spec["prefix"], spec["members"], spec["posts"]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    members: list[User] = []
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        for batch in _batched(range(n)):
            with transaction.atomic():
                members += [_create(f"{prefix}m{i}", Role.MEMBER) for i in batch]
            progress("members", len(members), n)
        moderator = _create(f"{prefix}mod", Role.MODERATOR)
        observer = _create(f"{prefix}observer", Role.MEMBER)
    timings["members_s"] = time.perf_counter() - started

    started = time.perf_counter()
    pick = zipf_picker(n, rng)
    counts = follow_counts(n, rng)
    follows = done = 0
    for batch in _batched(range(n), 2000):
        pairs = [(members[i].pk, members[target].pk) for i in batch
                 for target in {pick() for _ in range(counts[i])} - {i}]
        follows += accounts.follow_many(pairs)
        done += len(batch)
        progress("follows", done, n)
    timings["follows_s"] = time.perf_counter() - started
    timings["s_per_100k_follows"] = timings["follows_s"] / max(follows, 1) * 100_000

    started = time.perf_counter()
    post_ids = _seed_posts(members, m, rng, progress, timings)
    timings["posts_s"] = time.perf_counter() - started
    timings["s_per_10k_posts"] = timings["posts_s"] / max(m, 1) * 10_000

    _, authority = cases.create_notifier(f"{prefix} authority", "authority")
    reader = max(range(n), key=lambda i: counts[i])  # reads the fullest home timeline
    top = members[0]  # the most followed, by construction of zipf_picker
    return {
        "prefix": prefix,
        "members": len(members),
        "follows": follows,
        "posts": len(post_ids),
        "last_seeded_post_id": max(post_ids, default=0),
        "single_status_id": post_ids[len(post_ids) // 2] if post_ids else None,
        "timings": timings,
        "tokens": [_token(u, MEMBER_SCOPES) for u in members[:POSTING_TOKENS]],
        "reader": {"username": members[reader].username, "follows": counts[reader],
                   "token": _token(members[reader], MEMBER_SCOPES)},
        "most_followed": {"username": top.username, "id": top.pk,
                          "followers": _follower_count(top),
                          "token": _token(top, MEMBER_SCOPES)},
        "moderator": _token(moderator, MODERATOR_SCOPES),
        "observer": _token(observer, "read"),
        "authority": authority,
    }


def _seed_posts(members: list[User], m: int, rng: random.Random, progress: Progress,
                timings: dict[str, float]) -> list[int]:
    """Posts spread over the last 30 days, oldest first, authors drawn by the power law
    too (the most-followed also post most); each batch fanned out in bulk (its time added
    to ``timings['fanout_in_bulk_s']``)."""
    pick = zipf_picker(len(members), rng, exponent=0.6)
    now = timezone.now()
    span = timedelta(days=30)
    # Loaded outside the batches' transactions, the models and the policy are kept and
    # rechecked every few seconds; loaded inside one, they are rechecked at every use.
    pipeline.warm_up()
    effective_policy()
    ids: list[int] = []
    for batch in _batched(range(m)):
        with timelines.fan_outs_held() as held, transaction.atomic():
            for i in batch:
                created = now - span + span * (i / max(m, 1))
                text = f"{TEXTS[i % len(TEXTS)]} ({i})"
                ids.append(posts.create_post(members[pick()], text, created_at=created).pk)
        started = time.perf_counter()
        timelines.distribute_in_bulk(held)
        timings["fanout_in_bulk_s"] = timings.get("fanout_in_bulk_s", 0.0) + (
            time.perf_counter() - started)
        progress("posts", len(ids), m)
    return ids


def _follower_count(user: User) -> int:
    from parley.accounts.models import Follow

    return Follow.objects.filter(followee=user).count()


def _create(username: str, role: str) -> User:
    user = accounts.create_user(username, f"{username}@bench.invalid", secrets.token_urlsafe(16),
                                role=role, approved=True)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _token(user: User, scope: str) -> str:
    from oauth2_provider.models import get_access_token_model

    return get_access_token_model().objects.create(
        user=user, token=secrets.token_urlsafe(32), scope=scope,
        expires=timezone.now() + timedelta(days=2)).token


def run_stats(spec: dict) -> dict:
    """Posts made after the seeding (id > ``after_id``): how many, and the delay from
    creation to distribution (fan-out) of each distributed one, in ms."""
    made = Post.objects.filter(pk__gt=spec["after_id"], author__username__startswith=spec["prefix"])
    if spec.get("author_id"):
        made = made.filter(author_id=spec["author_id"])
    rows = list(made.values_list("pk", "created_at", "distributed_at", "state"))
    delays = [(d - c).total_seconds() * 1000 for _, c, d, _ in rows if d is not None]
    return {"created": len(rows), "distributed": len(delays),
            "undistributed": sum(1 for _, _, d, s in rows if d is None and s == "published"),
            "delays_ms": sorted(delays),
            "states": {s: sum(1 for r in rows if r[3] == s) for s in {r[3] for r in rows}}}
