"""Server databases: a dropped connection is replaced before it fails a request, and
PARLEY_DATABASE_POOL=on runs on psycopg 3's connection pool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

from parley.settings import database_settings
from tests.scaled import SRC, needs_postgresql, this_test_database_url


def test_server_databases_check_connections_and_the_pool_replaces_persistent_ones(tmp_path):
    url = "postgres://parley:secret@db.example:5432/parley"
    plain = database_settings({"PARLEY_DATABASE_URL": url}, tmp_path)
    assert plain["CONN_HEALTH_CHECKS"] is True and plain["CONN_MAX_AGE"] == 60

    pooled = database_settings(
        {"PARLEY_DATABASE_URL": url, "PARLEY_DATABASE_POOL": "on",
         "PARLEY_DATABASE_POOL_MAX": "20"}, tmp_path
    )
    assert pooled["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool
    assert pooled["OPTIONS"]["pool"]["max_size"] == 20


def test_the_pool_needs_postgresql(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="PARLEY_DATABASE_POOL=on needs PostgreSQL"):
        database_settings({"PARLEY_DATABASE_POOL": "on"}, tmp_path)


def serve(path: str) -> tuple[int, dict]:
    """One request through Django's WSGI handler, as `parley serve` runs it (the test client
    skips the connection checks that start every real request)."""
    environ = RequestFactory().get(path).environ
    statuses = []
    body = b"".join(WSGIHandler()(environ, lambda status, headers: statuses.append(status)))
    return int(statuses[0].split()[0]), json.loads(body or b"{}")


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_site_answers_after_the_database_dropped_its_connection():
    needs_postgresql()
    assert serve("/api/v1/instance")[0] == 200
    dropped = backend_pid()

    # What a database restart or failover does to every open connection.
    with psycopg.connect(this_test_database_url()) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [dropped])

    status, instance = serve("/api/v1/instance")
    assert status == 200 and instance["title"]
    assert backend_pid() != dropped


@pytest.mark.django_db(transaction=True)
def test_parley_runs_on_the_connection_pool(tmp_path):
    needs_postgresql()
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "from parley.accounts.models import User\n"
        "User.objects.count(); print(type(connection.pool).__name__)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "parley.settings",
           "PARLEY_DATA_DIR": str(tmp_path), "PARLEY_DATABASE_URL": this_test_database_url(),
           "PARLEY_DATABASE_POOL": "on"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120, cwd=Path(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ConnectionPool")
