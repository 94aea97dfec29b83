"""The load bench's run: a server (started here, or --url), the community seeded in its
environment, then wrk at 8 connections against a bare view, the home timeline, a single
status and posting, the fan-out delays read back from the database, and a takedown timed
while fan-outs to the most-followed account's followers are queued."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from parley.core.loadbench.wrk import run_wrk
from parley.safety.bench.client import APIError, Client
from parley.safety.bench.server import CLI, ServerFailed, TemporaryServer, free_port

FLOOD_POSTS = 20  # posts of the most-followed account queued ahead of the takedown
ONE_INSERT = "bare view, one insert"  # posting's reference (issue 15): core.views.one_insert
Say = Callable[[str], None]


@dataclass
class LoadOptions:
    members: int
    posts: int
    duration: float
    mode: str = "embedded"
    url: str | None = None
    seed: int = 1
    progress: bool = True
    fanout_timeout: float = 600.0
    extra: dict = field(default_factory=dict)


class ScaledServer:
    """`parley serve --no-worker` and a separate `parley worker`, both on this shell's
    PARLEY_DATABASE_URL and PARLEY_REDIS_URL."""

    def __init__(self) -> None:
        missing = [k for k in ("PARLEY_DATABASE_URL", "PARLEY_REDIS_URL") if not os.environ.get(k)]
        if missing:
            raise ServerFailed(f"--mode scaled needs {' and '.join(missing)} set")
        self.dir = Path(tempfile.mkdtemp(prefix="parley-bench-load-"))
        self.env = {**os.environ, "PARLEY_RATE_LIMITS": "off", "PARLEY_BENCH_VIEWS": "on",
                    "PARLEY_DATA_DIR": str(self.dir / "var")}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs = {name: open(self.dir / f"{name}.log", "wb")  # noqa: SIM115
                     for name in ("serve", "worker")}
        self.processes: list[subprocess.Popen] = []
        self.kept_logs: Path | None = None

    def __enter__(self) -> ScaledServer:
        self.processes.append(subprocess.Popen(
            [*CLI, "serve", "--no-worker", "--port", str(self.port)], env=self.env,
            cwd=self.dir, stdout=self.logs["serve"], stderr=subprocess.STDOUT))
        _wait_for(self.url, self.processes[0], self.log_tail)
        self.processes.append(subprocess.Popen(
            [*CLI, "worker", "--queues", "safety,fanout,bulk,default"], env=self.env,
            cwd=self.dir, stdout=self.logs["worker"], stderr=subprocess.STDOUT))
        return self

    def log_tail(self, chars: int = 2000) -> str:
        self.logs["serve"].flush()
        return (self.dir / "serve.log").read_bytes()[-chars:].decode(errors="replace")

    def __exit__(self, exc_type, *exc) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for log in self.logs.values():
            log.close()
        # A failed run keeps its logs (serve.log, worker.log): the cause is in them.
        if exc_type is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            self.kept_logs = self.dir


def _wait_for(url: str, process: subprocess.Popen, log_tail: Callable[[], str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"parley serve exited: {log_tail()}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise ServerFailed("parley serve did not answer within 120 s")


def _in_server(command: str, spec: dict, env: dict | None, progress: bool) -> dict:
    """Run `parley bench <command>` in the server's environment; return its JSON answer."""
    with tempfile.TemporaryDirectory(prefix="parley-bench-load-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_path.write_text(json.dumps(spec))
        done = subprocess.run(
            [*CLI, "bench", command, "--spec", str(spec_path), "--out", str(out_path),
             *([] if progress else ["--no-progress"])],
            env=env, stderr=None if progress else subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise ServerFailed(f"`parley bench {command}` failed: {(done.stderr or '')[-2000:]}")
        return json.loads(out_path.read_text())


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run_load(options: LoadOptions, say: Say) -> dict:
    if options.url:
        return measure(options.url.rstrip("/"), None, options, say)
    server = ScaledServer() if options.mode == "scaled" else TemporaryServer()
    try:
        with server as running:
            say(f"{options.mode}: parley serve on {running.url}")
            return measure(running.url, running.env, options, say)
    except Exception as exc:
        if server.kept_logs is None:
            raise
        raise ServerFailed(f"{exc}\nThe server's and worker's logs are kept in "
                           f"{server.kept_logs}/ (serve.log, worker.log); the end of "
                           f"serve.log:\n{_tail(server.kept_logs / 'serve.log')}") from exc


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_bytes()[-chars:].decode(errors="replace") if path.exists() else ""


def measure(url: str, env: dict | None, options: LoadOptions, say: Say) -> dict:
    prefix = f"lb{secrets.token_hex(2)}_"
    say(f"seeding {options.members} members and {options.posts} posts through the services...")
    community = _in_server("load-seed", {"prefix": prefix, "members": options.members,
                                         "posts": options.posts, "seed": options.seed},
                           env, options.progress)
    t = community["timings"]
    # Seeded posts are fanned out in bulk by the seeding; this waits for any it left over.
    say("waiting for the seeded posts' fan-out...")
    started = time.perf_counter()
    seeded = _wait_distributed({"prefix": prefix, "after_id": 0}, env, options)
    t["fanout_of_seeded_posts_s"] = time.perf_counter() - started
    if seeded["undistributed"]:
        say(f"[yellow]{seeded['undistributed']} seeded posts still not distributed[/yellow]")
    say(f"seeded in {t['members_s'] + t['follows_s'] + t['posts_s']:.0f} s "
        f"({t['s_per_10k_posts']:.0f} s per 10k posts, of which "
        f"{t.get('fanout_in_bulk_s', 0) / max(options.posts, 1) * 10_000:.0f} s their "
        f"screening and fan-out in bulk)")
    client = Client(url)
    result: dict = {"mode": options.mode, "members": community["members"],
                    "follows": community["follows"], "seeded_posts": community["posts"],
                    "seed_timings_s": {k: round(v, 1) for k, v in t.items()},
                    "most_followed_followers": community["most_followed"]["followers"],
                    "reader_follows": community["reader"]["follows"],
                    "duration_s": options.duration, "connections": 8}
    reader = community["reader"]["token"]
    single = community["single_status_id"]
    runs = {
        "bare view": ("/health", {}),
        "home timeline": ("/api/v1/timelines/home?limit=20", {"token": reader}),
        "single status": (f"/api/v1/statuses/{single}", {"token": reader}),
    }
    endpoints: dict[str, dict] = {}
    for name, (path, kwargs) in runs.items():
        say(f"wrk: {name} ({path}) for {options.duration:g} s")
        endpoints[name] = run_wrk(url, path, options.duration, **kwargs).as_dict()
    before = community["last_seeded_post_id"]
    say(f"wrk: posting (screening on) for {options.duration:g} s")
    posting = run_wrk(url, "/api/v1/statuses", options.duration,
                      post_tokens=community["tokens"], marker=prefix).as_dict()
    endpoints["posting"] = posting

    say("waiting for the fan-out of every post made...")
    stats = _wait_distributed({"prefix": prefix, "after_id": before}, env, options)
    # wrk counts the responses it read; requests still in flight when it stops may also
    # have made a post, so the database can hold up to one per connection more.
    posting["created_in_database"] = stats["created"]
    result["fanout"] = {"posts": stats["created"], "distributed": stats["distributed"],
                        "p50_ms": _round(percentile(stats["delays_ms"], 0.5)),
                        "p99_ms": _round(percentile(stats["delays_ms"], 0.99)),
                        "states": stats["states"]}
    result["takedown"] = _takedown(client, community, env, options, say)
    # Last: its rows and load weigh on nothing measured above.
    say(f"wrk: {ONE_INSERT} (/bench/one-insert) for {options.duration:g} s")
    reference = run_wrk(url, "/bench/one-insert", options.duration, post_empty=True)
    if reference.ok:  # a server started without PARLEY_BENCH_VIEWS answers 404
        endpoints[ONE_INSERT] = reference.as_dict()
    ceiling = endpoints["bare view"]["rps"] or 1.0
    for values in endpoints.values():
        values["ratio_to_bare"] = round(values["rps"] / ceiling, 4)
    if ONE_INSERT in endpoints:
        posting["ratio_to_one_insert"] = round(
            posting["rps"] / (endpoints[ONE_INSERT]["rps"] or 1.0), 4)
    result["endpoints"] = endpoints
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _wait_distributed(spec: dict, env: dict | None, options: LoadOptions) -> dict:
    deadline = time.monotonic() + options.fanout_timeout
    while True:
        stats = _in_server("load-stats", spec, env, False)
        if stats["undistributed"] == 0 or time.monotonic() > deadline:
            return stats
        time.sleep(1)


def _takedown(client: Client, community: dict, env: dict | None, options: LoadOptions,
              say: Say) -> dict:
    """Queue FLOOD_POSTS fan-outs of the most-followed account, then at once an authority's
    removal order against another member's post and a moderator's removal: the time from
    the order to the post being gone for a reader, and how many fan-outs were still queued."""
    top = community["most_followed"]
    author = community["tokens"][1 % len(community["tokens"])]
    target = client.post("/api/v1/statuses", author,
                         {"status": "a post an authority orders removed"})
    last_id = int(target["id"])
    say(f"takedown: {FLOOD_POSTS} posts of the most-followed account "
        f"({top['followers']} followers) queued, then a removal order")
    for i in range(FLOOD_POSTS):
        client.post("/api/v1/statuses", top["token"], {"status": f"news from the top, part {i}"})
    started = time.perf_counter()
    notice = client.post("/api/parley/v1/notices", community["authority"], {
        "url": target["url"], "category": "violence", "removal_order": True,
        "explanation": "Removal order of a competent authority (load bench)."})
    case = next(c for c in client.get("/api/parley/v1/cases", community["moderator"], limit=200)
                if str(c.get("status_id")) == target["id"])
    client.post(f"/api/parley/v1/cases/{case['id']}/claim", community["moderator"])
    client.post(f"/api/parley/v1/cases/{case['id']}/actions", community["moderator"], {
        "kind": "remove", "category": "violence", "reason": "Removal order."})
    while True:
        try:
            client.get(f"/api/v1/statuses/{target['id']}", community["observer"])
        except APIError as error:
            if error.status == 404:
                break
            raise
        if time.perf_counter() - started > options.fanout_timeout:
            break
        time.sleep(0.01)
    takedown_s = time.perf_counter() - started
    spec = {"prefix": community["prefix"], "after_id": last_id, "author_id": top["id"]}
    queued = _in_server("load-stats", spec, env, False)["undistributed"]
    flood = _wait_distributed(spec, env, options)
    delays = flood["delays_ms"]
    return {"seconds": round(takedown_s, 3), "notice": notice["receipt"],
            "fanouts_still_queued_when_done": queued, "flood_posts": FLOOD_POSTS,
            "most_followed_fanout_ms": {
                "followers": top["followers"], "p50": _round(percentile(delays, 0.5)),
                "p99": _round(percentile(delays, 0.99)),
                "min": _round(min(delays) if delays else None),
                "mean": _round(statistics.fmean(delays) if delays else None)}}
