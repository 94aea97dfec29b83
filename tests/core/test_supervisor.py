"""The supervisor of `parley serve`: restarts a dying child with backoff, stops everything."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from parley.core.supervisor import Child, SupervisionFailed, supervise

CRASHES = [sys.executable, "-c", "import sys; sys.exit(3)"]
RUNS = [sys.executable, "-c", "import time; time.sleep(60)"]


def supervise_for(children: list[Child], seconds: float) -> None:
    stopping = threading.Event()
    threading.Timer(seconds, stopping.set).start()
    supervise(children, stopping)


def test_a_crash_loop_is_restarted_with_growing_pauses_not_spun():
    crashing, steady = Child("worker", CRASHES), Child("web server", RUNS)
    supervise_for([crashing, steady], 5.5)
    # Restarts 1 s, 2 s, then 4 s after each exit: two in 5.5 s, where restarting at each
    # 0.2 s poll would make ~20.
    assert crashing.restarts == 2
    assert crashing.exit_codes[:2] == [3, 3]
    assert steady.restarts == 0
    assert steady.process.returncode is not None  # stopped with the others


def test_a_web_server_that_cannot_start_stops_serve_at_once():
    web, worker = Child("web server", CRASHES, give_up_after=5), Child("worker", RUNS)
    started = time.monotonic()
    with pytest.raises(SupervisionFailed, match="web server exited with code 3"):
        supervise_for([web, worker], 30)
    assert time.monotonic() - started < 10
    assert worker.process.returncode is not None
