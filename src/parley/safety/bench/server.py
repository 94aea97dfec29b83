"""Start a throwaway `parley serve` for the bench, and seed it in the server's environment."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CLI = [sys.executable, "-m", "parley.cli"]


class ServerFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_environment(data_dir: Path) -> dict[str, str]:
    """A clean environment: a new data dir (SQLite), and no rate limits, since a day of
    reports and posts is replayed in minutes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    return env | {"PARLEY_DATA_DIR": str(data_dir), "PARLEY_RATE_LIMITS": "off",
                  "PARLEY_BENCH_VIEWS": "on"}


class TemporaryServer:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="parley-bench-"))
        self.data_dir = self.dir / "var"
        self.env = bench_environment(self.data_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(self.dir / "serve.log", "wb")  # noqa: SIM115
        self.process: subprocess.Popen | None = None
        self.kept_logs: Path | None = None

    def __enter__(self) -> TemporaryServer:
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port)], env=self.env, cwd=self.dir,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"parley serve exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/instance", timeout=5):
                    return self
            except OSError:
                time.sleep(0.3)
        raise ServerFailed("parley serve did not answer within 120 s")

    def log_tail(self, chars: int = 2000) -> str:
        self.log.flush()
        return (self.dir / "serve.log").read_bytes()[-chars:].decode(errors="replace")

    def __exit__(self, exc_type, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        # A failed run keeps its data dir and serve.log (the embedded worker logs there
        # too): the cause is in them.
        if exc_type is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            self.kept_logs = self.dir


def seed(spec: dict, env: dict[str, str] | None, workdir: str | None = None) -> dict:
    """Run `parley bench seed` in the server's environment; return the tokens it made."""
    with tempfile.TemporaryDirectory(prefix="parley-bench-seed-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "tokens.json"
        spec_path.write_text(json.dumps(spec))
        done = subprocess.run(
            [*CLI, "bench", "seed", "--spec", str(spec_path), "--out", str(out_path)],
            env=env, cwd=workdir, capture_output=True, text=True)
        if done.returncode != 0:
            raise ServerFailed(f"seeding failed: {done.stderr[-2000:]}")
        return json.loads(out_path.read_text())
