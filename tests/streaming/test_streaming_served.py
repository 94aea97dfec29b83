"""`parley serve` runs the streaming server on port+1: an app finds it through the instance
entity and receives, over a WebSocket, what another member posts through the API (the
worker distributes it; the streaming server reads it from the outbox)."""

import json
import os
import signal
import statistics
import subprocess
import sys
import time

import pytest
from websockets.sync.client import connect

from tests.core.test_serve import _password_token, api, free_port, get, wait_until_up

pytestmark = [pytest.mark.live, pytest.mark.slow]


def test_parley_serve_streams_posts_to_followers(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    env |= {"PARLEY_DATA_DIR": str(tmp_path / "var"), "PARLEY_RATE_LIMITS": "off"}
    cli = [sys.executable, "-m", "parley.cli"]
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    delays = []
    try:
        wait_until_up(f"{base}/api/v1/instance", server, time.time() + 60)
        for name in ("writer", "reader"):
            subprocess.run([*cli, "user", "create", name, "--email", f"{name}@example.org",
                            "--password", "long enough pass"], env=env, cwd=tmp_path, check=True)
        writer = _password_token(base, "writer@example.org")
        reader = _password_token(base, "reader@example.org")
        writer_id = api(base, "/api/v1/accounts/verify_credentials", writer)["id"]
        api(base, f"/api/v1/accounts/{writer_id}/follow", reader, {})
        streaming = json.loads(get(f"{base}/api/v1/instance")[1])["urls"]["streaming_api"]
        assert streaming == f"ws://127.0.0.1:{port + 1}"
        wait_until_up(f"http://127.0.0.1:{port + 1}/api/v1/streaming/health", server,
                      time.time() + 30)
        with connect(f"{streaming}/api/v1/streaming?stream=user&access_token={reader}") as ws:
            for n in range(20):
                started = time.monotonic()
                posted = api(base, "/api/v1/statuses", writer, {"status": f"served post {n}"})
                while True:
                    message = json.loads(ws.recv(timeout=5))
                    if message["event"] == "update":
                        break
                assert json.loads(message["payload"])["id"] == posted["id"]
                delays.append(time.monotonic() - started)
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert "streaming on port" in output
    print(f"\nparley serve: post (API) -> WebSocket update over {len(delays)} posts: "
          f"p50 {statistics.median(delays):.3f}s max {max(delays):.3f}s")
    assert statistics.median(delays) < 1.0
