"""Time from an accepted post to its appearance on a follower's home timeline, through a real
`parley serve` (gunicorn + the in-process worker, SQLite): the accurate screening tier and the
fan-out both sit on this path.

    .venv/bin/python bench/bench_timeline_latency.py [--posts 50]

Prints p50/p95/max latency in milliseconds and how many posts arrived within 1 second."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

TEXTS = [
    "Morning run along the river, the fog was lifting over the bridge",
    "Anyone else think the new bus timetable is a mess? Missed mine twice",
    "Finished the book club pick, the ending was a real surprise #books",
    "Our team lost again on Saturday, the defence fell apart in the second half",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, path: str, data: dict | None = None, token: str | None = None,
         as_json: bool = False) -> object:
    body, headers = None, {}
    if data is not None and as_json:
        body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
    elif data is not None:
        body = urllib.parse.urlencode(data).encode()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def token_for(base: str, name: str, cli: list[str], env: dict, cwd: Path) -> str:
    subprocess.run([*cli, "user", "create", name, "--email", f"{name}@example.org",
                    "--password", "long enough pass"], env=env, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL)
    app = call(base, "/api/v1/apps", {"client_name": "bench", "scopes": "read write follow",
                                      "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})
    token = call(base, "/oauth/token", {
        "grant_type": "password", "username": f"{name}@example.org",
        "password": "long enough pass", "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "read write follow"})
    return token["access_token"]


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.time() + 90
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"parley serve exited with {server.returncode}")
        try:
            call(base, "/api/v1/instance")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("parley serve did not answer in time")


def measure(base: str, author: str, reader: str, posts: int) -> list[float]:
    latencies = []
    for n in range(posts):
        text = f"{TEXTS[n % len(TEXTS)]} ({n})"
        accepted = time.perf_counter()
        post_id = call(base, "/api/v1/statuses", {"status": text}, author, as_json=True)["id"]
        while True:
            home = call(base, "/api/v1/timelines/home?limit=5", token=reader)
            if any(s["id"] == post_id for s in home):
                break
            if time.perf_counter() - accepted > 10:
                raise SystemExit(f"post {post_id} never reached the follower")
            time.sleep(0.01)
        latencies.append((time.perf_counter() - accepted) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    env |= {"PARLEY_DATA_DIR": str(work / "var"), "PARLEY_RATE_LIMITS": "off",
            "PARLEY_LOG_LEVEL": "WARNING"}
    cli = [sys.executable, "-m", "parley.cli"]
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        author = token_for(base, "author", cli, env, work)
        reader = token_for(base, "reader", cli, env, work)
        author_id = call(base, "/api/v1/accounts/verify_credentials", token=author)["id"]
        call(base, f"/api/v1/accounts/{author_id}/follow", {}, reader)
        measure(base, author, reader, 3)  # warm up: models load, caches fill
        latencies = sorted(measure(base, author, reader, args.posts))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    within = sum(1 for ms in latencies if ms <= 1000)
    print(f"posts: {len(latencies)}  accepted -> follower's home timeline (ms): "
          f"p50 {statistics.median(latencies):.0f}  p95 {p95:.0f}  max {latencies[-1]:.0f}")
    print(f"within 1 s: {within}/{len(latencies)}")


if __name__ == "__main__":
    main()
