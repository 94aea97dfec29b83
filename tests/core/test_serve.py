"""`parley serve` runs the whole server from nothing: migrations, gunicorn, the worker."""

import datetime
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing

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


def _password_token(base: str, username: str = "op@example.org", scopes: str = "read write") -> str:
    def post(path: str, data: dict) -> dict:
        body = urllib.parse.urlencode(data).encode()
        with urllib.request.urlopen(
            urllib.request.Request(base + path, data=body), timeout=5
        ) as response:
            return json.loads(response.read())

    app = post(
        "/api/v1/apps",
        {"client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": scopes},
    )
    token = post(
        "/oauth/token",
        {
            "grant_type": "password",
            "username": username,
            "password": "long enough pass",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": scopes,
        },
    )
    return token["access_token"]


def children_of(pid: int) -> dict[int, str]:
    """Live child processes of ``pid``: {pid: command line}."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[1]) != pid or fields[0] == "Z":
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                found[int(entry)] = cmdline.read().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
    return found


def child_running(serve_pid: int, marker: str, not_pid: int | None = None,
                  timeout: float = 60) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for pid, command in children_of(serve_pid).items():
            if marker in command and pid != not_pid:
                return pid
        time.sleep(0.1)
    raise AssertionError(f"no child process running {marker!r}")


def claim_waiting_task(database, worker_id: str) -> bool:
    """Mark the waiting task RUNNING by ``worker_id``, the way django-tasks-db claims one."""
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with closing(sqlite3.connect(database, timeout=30)) as connection, connection:
        changed = connection.execute(
            "UPDATE django_tasks_database_dbtaskresult SET status = 'RUNNING', started_at = ?,"
            " worker_ids = ? WHERE status = 'READY'", (started, json.dumps([worker_id])))
        return changed.rowcount == 1


def task_statuses(database) -> set[str]:
    with closing(sqlite3.connect(database, timeout=30)) as connection:
        rows = connection.execute("SELECT status FROM django_tasks_database_dbtaskresult")
        return {status for (status,) in rows}


def api(base: str, path: str, token: str, data: dict | None = None):
    request = urllib.request.Request(
        base + path,
        data=None if data is None else json.dumps(data).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="GET" if data is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_for(condition, timeout: float, what: str) -> float:
    """Seconds until ``condition()`` holds."""
    started = time.time()
    while time.time() - started < timeout:
        try:
            if condition():
                return time.time() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout:.0f}s")


@pytest.mark.slow
def test_parley_serve_brings_back_a_killed_worker_and_web_server(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "DJANGO_"))}
    env |= {"PARLEY_DATA_DIR": str(tmp_path / "var"), "PARLEY_RATE_LIMITS": "off"}
    cli = [sys.executable, "-m", "parley.cli"]
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/v1/instance", server, time.time() + 120)
        for name in ("op", "fan"):
            subprocess.run([*cli, "user", "create", name, "--email", f"{name}@example.org",
                            "--password", "long enough pass"], env=env, cwd=tmp_path, check=True)
        author = _password_token(base)
        follower = _password_token(base, "fan@example.org", "read write follow")
        op_id = api(base, "/api/v1/accounts/verify_credentials", author)["id"]
        api(base, f"/api/v1/accounts/{op_id}/follow", follower, {})

        def reached_follower(post_id: str) -> bool:
            home = api(base, "/api/v1/timelines/home", follower)
            return post_id in [status["id"] for status in home]

        first = api(base, "/api/v1/statuses", author, {"status": "before the crash"})["id"]
        wait_for(lambda: reached_follower(first), 60, "fan-out by the first worker")

        worker = child_running(server.pid, "parley.cli worker")
        os.kill(worker, signal.SIGKILL)
        killed_at = time.time()
        after = api(base, "/api/v1/statuses", author, {"status": "after the crash"})["id"]
        with pytest.raises(urllib.error.HTTPError):  # not public before the accurate tier
            get(f"{base}/api/v1/statuses/{after}")
        database = tmp_path / "var" / "parley.sqlite3"
        # As if the killed worker had claimed the post's fan-out just before it died.
        assert claim_waiting_task(database, f"{socket.gethostname()[:40]}:{worker}:killed")
        child_running(server.pid, "parley.cli worker", not_pid=worker)
        worker_back = time.time() - killed_at
        wait_for(lambda: reached_follower(after), 120, "fan-out after the worker was killed")
        post_distributed = time.time() - killed_at
        assert task_statuses(database) == {"SUCCESSFUL"}

        web = child_running(server.pid, "gunicorn")
        os.kill(web, signal.SIGKILL)
        killed_at = time.time()
        child_running(server.pid, "gunicorn", not_pid=web)
        wait_for(lambda: get(f"{base}/api/v1/instance")[0] == 200, 120,
                 "the web server answering again")
        web_back = time.time() - killed_at
        assert server.poll() is None
        print(f"\nrecovery: worker restarted {worker_back:.1f}s after kill -9; a post made"
              f" after the kill reached the follower {post_distributed:.1f}s after it; web"
              f" server answering again {web_back:.1f}s after kill -9 of its master")
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    assert server.returncode == 0, output[-3000:]
    assert "worker (pid" in output and "exited with code -9" in output
    assert "worker restarted" in output and "web server restarted" in output
    assert ":killed is gone" in output  # the claimed task went back to the queue
    assert children_of(server.pid) == {}
