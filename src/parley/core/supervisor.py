"""Keeps the processes of `parley serve` alive: restarts a child that dies, with backoff."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger("parley.serve")

POLL_SECONDS = 0.2
FIRST_BACKOFF = 1.0  # seconds before the first restart; doubles on each quick failure
MAX_BACKOFF = 60.0
STABLE_AFTER = 10.0  # a child that ran this long before dying starts its backoff afresh
STOP_TIMEOUT = 15.0
PR_SET_PDEATHSIG = 1


class SupervisionFailed(Exception):
    """A child that must run (the web server) cannot be kept running."""


def _die_with_parent() -> None:
    # Linux: if `parley serve` itself is killed -9, its children get SIGTERM instead of
    # living on as orphans that hold the port.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    """One supervised process. ``give_up_after``: quick failures in a row before giving up
    (None: never). If set, a child whose first run exits by itself with an error before it
    was ever stable (a bad configuration, a port in use) is given up at once; one killed
    by a signal is restarted."""

    name: str
    command: list[str]
    give_up_after: int | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_failures: int = 0
    restarts: int = 0
    ever_stable: bool = False
    restart_at: float | None = None
    exit_codes: list[int] = field(default_factory=list)

    def start(self) -> None:
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        self.process = subprocess.Popen(self.command, preexec_fn=preexec)
        self.started_at = time.monotonic()
        self.restart_at = None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def backoff(self) -> float:
        return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(0, self.quick_failures - 1))


def _handle_exit(child: Child, code: int, now: float) -> None:
    ran = now - child.started_at
    child.exit_codes.append(code)
    if ran >= STABLE_AFTER:
        child.ever_stable = True
        child.quick_failures = 1
    else:
        child.quick_failures += 1
    if child.give_up_after is not None and (
        (not child.ever_stable and code > 0) or child.quick_failures >= child.give_up_after
    ):
        raise SupervisionFailed(
            f"the {child.name} exited with code {code} after {ran:.1f}s; giving up"
        )
    delay = child.backoff()
    child.restart_at = now + delay
    log.error("%s (pid %s) exited with code %s after %.1fs; restarting in %.1fs",
              child.name, child.process.pid, code, ran, delay)


def _tick(children: list[Child]) -> None:
    now = time.monotonic()
    for child in children:
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.start()
                child.restarts += 1
                log.warning("%s restarted (pid %s, restart %d)", child.name, child.process.pid,
                            child.restarts)
            continue
        if child.process is not None and now - child.started_at >= STABLE_AFTER:
            child.ever_stable = True
        code = child.process.poll() if child.process else None
        if code is not None:
            _handle_exit(child, code, now)


def stop_all(children: list[Child], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM every running child, wait for them together, SIGKILL what is left."""
    for child in children:
        if child.running():
            child.process.terminate()
    deadline = time.monotonic() + timeout
    for child in children:
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.error("%s did not stop in %.0fs; killing it", child.name, timeout)
            child.process.kill()
            child.process.wait()


def supervise(children: list[Child], stopping: threading.Event) -> None:
    """Start ``children`` and keep them running until ``stopping`` is set; then stop them.

    Raises SupervisionFailed (after stopping the others) if a child must be given up."""
    try:
        for child in children:
            child.start()
        while not stopping.wait(POLL_SECONDS):
            _tick(children)
    finally:
        stop_all(children)
