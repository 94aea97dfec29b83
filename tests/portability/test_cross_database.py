"""An instance moves SQLite -> PostgreSQL -> SQLite with `parley export` and `parley import`,
run as an operator runs them (separate processes, separate data dirs), and every table
comes back byte for byte. Runs in the PostgreSQL pass (it needs a PostgreSQL server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

PG_URL = os.environ.get("PARLEY_TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="needs PostgreSQL: "
                       "the PostgreSQL pass sets PARLEY_TEST_DATABASE_URL"),
]
PARLEY = str(Path(sys.executable).with_name("parley"))

POPULATE = """
from parley.accounts import services as accounts
from parley.accounts.models import Role
from parley.posts import services as posts
from parley.safety.cases import actions, services as cases
from parley.timelines import services as timelines
alice = accounts.create_user("alice", "alice@example.org", "correct-horse-battery", approved=True)
bob = accounts.create_user("bob", "bob@example.org", "correct-horse-battery", approved=True)
carol = accounts.create_user("carol", "carol@example.org", "correct-horse-battery", approved=True)
mod = accounts.create_user("mod", "mod@example.org", "correct-horse-battery",
                           role=Role.MODERATOR, approved=True)
accounts.follow(bob, alice); accounts.follow(alice, bob); accounts.block(carol, bob)
hello = posts.create_post(alice, "Hello #parley world")
posts.edit_post(alice, hello, text="Hello #parley world, edited")
reply = posts.create_post(bob, "@alice welcome!", in_reply_to=hello)
posts.favourite(alice, reply); posts.bookmark(alice, reply)
posts.create_post(bob, "@alice a secret", visibility="direct")
friends = timelines.create_list(alice, "Friends")
timelines.add_to_list(friends, [bob.pk])
rude = posts.create_post(carol, "You are all fools, every one of you")
case = cases.file_member_report(alice, carol, [rude], "violation").case
action = actions.take_action(case, mod, "remove", reason="Insults")
cases.file_appeal(action.statement, carol, "Please look again")
"""


def parley(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PARLEY, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"parley {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PARLEY_", "DJANGO_"))}
    env.update(PARLEY_DATA_DIR=str(data_dir), PARLEY_RATE_LIMITS="off")
    if database_url:
        env["PARLEY_DATABASE_URL"] = database_url
    return env


def tables(archive: Path) -> dict[str, tuple[int, str]]:
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    return {t["model"]: (t["rows"], t["sha256"]) for t in manifest["tables"]}


@pytest.fixture
def empty_postgres_database():
    import psycopg

    name = f"parley_move_{uuid.uuid4().hex[:10]}"
    server = urlparse(PG_URL)
    admin_url = urlunparse(server._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield urlunparse(server._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_instance_moves_sqlite_to_postgresql_and_back_unchanged(tmp_path,
                                                                   empty_postgres_database):
    old_host = environment(tmp_path / "old")
    parley(old_host, "migrate")
    # fan-out at once, as a running worker would do it
    immediate = {**old_host,
                 "PARLEY_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    parley(immediate, "django", "shell", "-c", POPULATE)
    parley(old_host, "export", str(tmp_path / "from-sqlite.zip"))

    new_host = environment(tmp_path / "new", empty_postgres_database)
    parley(new_host, "migrate")
    imported = parley(new_host, "import", str(tmp_path / "from-sqlite.zip"))
    assert "audit" in imported.lower()
    parley(new_host, "export", str(tmp_path / "from-postgresql.zip"))

    back_home = environment(tmp_path / "back")
    parley(back_home, "migrate")
    parley(back_home, "import", str(tmp_path / "from-postgresql.zip"))
    parley(back_home, "export", str(tmp_path / "back-on-sqlite.zip"))

    original = tables(tmp_path / "from-sqlite.zip")
    assert original["posts.Post"][0] >= 4 and original["cases.Appeal"][0] == 1
    assert tables(tmp_path / "from-postgresql.zip") == original
    assert tables(tmp_path / "back-on-sqlite.zip") == original
    users = parley(new_host, "user", "list")
    assert "alice" in users and "carol" in users
