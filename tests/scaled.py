"""Helpers for the scaled-mode tests: real `parley worker` processes on RQ (Redis) and the
test's PostgreSQL database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

REDIS_URL = os.environ.get("PARLEY_REDIS_URL", "")
SRC = Path(__file__).resolve().parent.parent / "src"

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="set PARLEY_REDIS_URL (scaled mode)")


def needs_postgresql() -> None:
    """A worker process must see the test's rows: only a server database allows that."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL "
                    "(set PARLEY_TEST_DATABASE_URL)")


def this_test_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test_ copy)."""
    base = urlsplit(os.environ["PARLEY_DATABASE_URL"])
    return urlunsplit(base._replace(path=f"/{connection.settings_dict['NAME']}"))


def rq_settings(settings, redis_url: str) -> None:
    """Make this test process enqueue to RQ on ``redis_url`` and cache there, as a scaled web
    process does (the worker processes read what it caches)."""
    settings.CACHES = {
        "default": {"BACKEND": "parley.core.cache.ResilientRedisCache", "LOCATION": redis_url}
    }
    settings.RQ_QUEUES = {name: {"URL": redis_url} for name in settings.PARLEY_TASK_QUEUES}
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_rq.RQBackend"}
    }


def empty_rq_queues(settings) -> None:
    import django_rq

    for name in settings.PARLEY_TASK_QUEUES:
        django_rq.get_queue(name).empty()


class WorkerProcess:
    """`parley worker` in its own process group, so kill -9 takes its job forks too."""

    def __init__(self, data_dir: Path, redis_url: str, *args: str, **env: str) -> None:
        self.log = data_dir / "worker.log"
        environment = {
            **os.environ,
            "PYTHONPATH": str(SRC),
            "PARLEY_DATA_DIR": str(data_dir),
            "PARLEY_DATABASE_URL": this_test_database_url(),
            "PARLEY_REDIS_URL": redis_url,
            "PARLEY_RATE_LIMITS": "off",
            **env,
        }
        environment.pop("PARLEY_TASKS_BACKEND", None)
        environment.pop("DJANGO_SETTINGS_MODULE", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "parley.cli", "worker", "--jobs-interval", "0", *args],
                env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def kill_hard(self) -> None:
        """kill -9 of the worker and every process it forked, at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill_hard()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def wait_until(condition: Callable[[], bool], timeout: float, worker: WorkerProcess,
               what: str, poll: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited ({worker.process.returncode}) before {what}:\n"
                        f"{worker.output()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{worker.output()}")
        time.sleep(poll)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of this test's own, with nothing saved to disk: stopping it loses
    every queued job, as losing a Redis host does."""

    def __init__(self, directory) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.start()

    def start(self) -> None:
        """Start (again, on the same port: as a restarted Redis host, empty)."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                subprocess.run(["sleep", "0.05"], check=True)
        raise RuntimeError("redis-server did not start")

    def lose(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
