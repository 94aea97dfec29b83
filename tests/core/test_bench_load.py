"""`parley bench load`: the community it generates is what it says, and a tiny run against
a real `parley serve` with wrk accounts for every request and post it made."""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from parley.accounts.models import Follow, User
from parley.core.loadbench.seed import seed_community
from parley.posts.models import Post


@pytest.mark.django_db(transaction=True)
def test_the_generated_community_is_the_size_it_reports():
    steps = []
    community = seed_community({"prefix": "lbt_", "members": 40, "posts": 60, "seed": 2},
                               lambda what, done, total: steps.append((what, done, total)))

    members = User.objects.filter(username__regex=r"^lbt_m[0-9]+$")
    assert members.count() == community["members"] == 40
    assert Post.objects.filter(author__in=members).count() == community["posts"] == 60
    follows = Follow.objects.filter(follower__in=members)
    assert follows.count() == community["follows"]
    followers = Counter(follows.values_list("followee__username", flat=True))
    top, count = followers.most_common(1)[0]
    assert community["most_followed"]["username"] == top
    assert community["most_followed"]["followers"] == count
    assert count >= 3 * (community["follows"] / 40)  # a power law: far above the mean
    assert ("posts", 60, 60) in steps  # the progress bar reached the end


@pytest.mark.slow
@pytest.mark.live
def test_a_tiny_load_run_accounts_for_its_requests_and_posts(tmp_path):
    out = tmp_path / "load.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    done = subprocess.run(
        [sys.executable, "-m", "parley.cli", "bench", "load", "--members", "20", "--posts",
         "30", "--duration", "1", "--json", str(out), "--no-progress"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "vs bare view" in done.stdout
    result = json.loads(out.read_text())

    assert result["members"] == 20 and result["seeded_posts"] == 30
    endpoints = result["endpoints"]
    for name in ("bare view", "home timeline", "single status", "posting"):
        assert endpoints[name]["ok"] > 0 and endpoints[name]["errors"] == 0, name
    assert endpoints["bare view"]["ratio_to_bare"] == 1.0
    one_insert = endpoints["bare view, one insert"]
    assert one_insert["ok"] > 0 and one_insert["errors"] == 0
    posting = endpoints["posting"]
    assert posting["ratio_to_one_insert"] == pytest.approx(
        posting["rps"] / one_insert["rps"], abs=1e-3)
    # every post wrk saw answered is in the database; at most one per connection more
    # (in flight when wrk stopped)
    assert posting["ok"] <= posting["created_in_database"] <= posting["ok"] + 8
    fanout = result["fanout"]
    assert fanout["posts"] == fanout["distributed"] == posting["created_in_database"]
    assert fanout["p50_ms"] is not None and fanout["p50_ms"] <= fanout["p99_ms"]
    takedown = result["takedown"]
    assert takedown["seconds"] > 0
    assert takedown["most_followed_fanout_ms"]["followers"] == result["most_followed_followers"]
