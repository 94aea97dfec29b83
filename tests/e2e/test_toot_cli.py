"""The `toot` command-line client against a live Parley, the way its users drive it: log in,
post, follow, read timelines, bookmark, lists, direct messages; a held threat reaches
nobody."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from parley.safety.screening import services as screening
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
TOOT = str(Path(sys.executable).with_name("toot"))
READ = ("--no-pager", "--no-clear")


class Toot:
    """One member's toot, with its own config directory (its stored login)."""

    def __init__(self, home: Path, server: str) -> None:
        self.env = {"XDG_CONFIG_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home)}
        self.server = server

    def __call__(self, *args: str) -> str:
        done = subprocess.run([TOOT, "--no-color", *args], env=self.env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, f"toot {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def log_in(self, email: str) -> None:
        out = self("login_cli", "--instance", self.server, "--email", email,
                   "--password", PASSWORD)
        assert "Successfully logged in" in out

    def post(self, *args: str) -> str:
        out = self("post", *args)
        return re.search(r"/(\d+)\s*$", out.strip()).group(1)


@pytest.fixture
def toot_for(live_server, make_member, tmp_path):
    def make(name: str) -> Toot:
        make_member(name)
        client = Toot(tmp_path / name, live_server.url)
        client.log_in(f"{name}@example.org")
        return client

    return make


def test_a_member_day_through_toot(live_server, toot_for):
    alice, bob = toot_for("alice"), toot_for("bob")
    assert "@alice" in alice("whoami")

    hello = alice.post("Hello from toot #cli")
    bob("follow", "alice")
    assert "Hello from toot" in bob("timelines", "home", *READ)
    assert "Hello from toot" in bob("timelines", "tag", "cli", *READ)

    bob("bookmark", hello)
    assert "Hello from toot" in bob("bookmarks", "--once")
    bob("lists", "create", "Friends")
    bob("lists", "add", "Friends", "alice")
    assert "alice" in bob("lists", "accounts", "Friends")
    assert "Hello from toot" in bob("timelines", "list", "Friends", *READ)

    alice.post("--visibility", "direct", "@bob the secret plan")
    assert "the secret plan" in bob("notifications")
    public = requests.get(f"{live_server.url}/api/v1/timelines/public", timeout=10).json()
    assert all("secret plan" not in status["content"] for status in public)


def test_a_held_post_posted_with_toot_is_hidden_from_everyone_else(live_server, toot_for):
    # An operator's hold rule (the model alone holds only where measured 95 % precise).
    screening.add_rule("gloop the council", action="hold", category="violence")
    alice, bob = toot_for("alice"), toot_for("bob")
    bob("follow", "alice")
    threat = alice.post("Time to gloop the council, I'm bringing my gun to your house")
    assert "bringing my gun" not in bob("timelines", "home", *READ)
    shown = requests.get(f"{live_server.url}/api/v1/statuses/{threat}", timeout=10)
    assert shown.status_code == 404


def test_hashtags_and_mutes_through_toot(live_server, toot_for):
    alice, bob = toot_for("alice"), toot_for("bob")
    alice.post("Planting tomatoes #gardening")
    assert "You're not following any hashtags" in bob("tags", "followed")
    bob("tags", "follow", "gardening")
    assert "gardening" in bob("tags", "followed")
    assert "Followed" in bob("tags", "info", "gardening")
    # The tag brings alice's public post home without following her.
    assert "Planting tomatoes" in bob("timelines", "home", *READ)
    bob("tags", "unfollow", "gardening")
    assert "You're not following any hashtags" in bob("tags", "followed")
    assert "Planting tomatoes" not in bob("timelines", "home", *READ)

    alice("tags", "feature", "gardening")
    assert "gardening" in alice("tags", "featured")
    alice("tags", "unfeature", "gardening")
    assert "gardening" not in alice("tags", "featured")

    bob("mute", "alice")
    assert "alice" in bob("muted")
    bob("unmute", "alice")
    assert "alice" not in bob("muted")
