"""`parley serve` runs the whole server from nothing: migrations, gunicorn, the worker."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.live


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, token: str | None = None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def wait_until_up(url: str, process, deadline: float) -> None:
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"parley serve exited with {process.returncode}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("parley serve did not answer in time")


def test_parley_serve_starts_serves_distributes_and_stops(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    env |= {"PARLEY_DATA_DIR": str(tmp_path / "var"), "PARLEY_RATE_LIMITS": "off"}
    cli = [sys.executable, "-m", "parley.cli"]
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/v1/instance", server, time.time() + 60)
        status, page = get(f"{base}/")
        assert status == 200 and b"Parley" in page
        assert get(f"{base}/static/web/parley.css")[0] == 200
        subprocess.run(
            [
                *cli,
                "user",
                "create",
                "op",
                "--email",
                "op@example.org",
                "--password",
                "long enough pass",
            ],
            env=env,
            cwd=tmp_path,
            check=True,
        )
        token = _password_token(base)
        request = urllib.request.Request(
            f"{base}/api/v1/statuses",
            data=json.dumps({"status": "served #live"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            post_id = json.loads(response.read())["id"]
        started = time.time()
        while time.time() - started < 10:
            public = json.loads(get(f"{base}/api/v1/timelines/public")[1])
            if post_id in [s["id"] for s in public]:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the worker never distributed the post")
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode is not None
    assert "Parley is serving on" in output
    assert (tmp_path / "var" / "parley.sqlite3").exists()


def _password_token(base: str) -> str:
    def post(path: str, data: dict) -> dict:
        body = urllib.parse.urlencode(data).encode()
        with urllib.request.urlopen(
            urllib.request.Request(base + path, data=body), timeout=5
        ) as response:
            return json.loads(response.read())

    app = post(
        "/api/v1/apps",
        {"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"},
    )
    token = post(
        "/oauth/token",
        {
            "grant_type": "password",
            "username": "op@example.org",
            "password": "long enough pass",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": "read write",
        },
    )
    return token["access_token"]
