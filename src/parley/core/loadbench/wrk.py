"""Drive a server with wrk (Debian's `wrk`): a Lua script per run sets the Authorization
header (rotating members' tokens for posting) and writes wrk's own summary as JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CONNECTIONS = 8
THREADS = 2

# done() runs once, in wrk's main Lua state, with every thread's counts merged.
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  local f = io.open(OUT, "w")
  f:write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
  f:close()
end
"""

GET = """
OUT = %(out)s
wrk.method = "GET"
wrk.headers["Authorization"] = %(authorization)s
"""

# The reference for posting: a bare view doing one insert (core.views.one_insert).
POST_EMPTY = """
OUT = %(out)s
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
"""

# Each wrk thread has its own Lua state: the thread number keeps the texts unique.
POST = """
OUT = %(out)s
local tokens = %(tokens)s
local counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
request = function()
  counter = counter + 1
  local token = tokens[((counter + (tid or 0)) %% #tokens) + 1]
  local body = '{"status": "%(marker)s load post ' .. (tid or 0) .. '-' .. counter ..
    ' about the weather and the river #loadbench"}'
  return wrk.format("POST", "/api/v1/statuses", {
    ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
"""


class WrkMissing(Exception):
    pass


@dataclass
class WrkResult:
    requests: int
    ok: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"requests": self.requests, "ok": self.ok, "seconds": round(self.seconds, 2),
                "rps": round(self.rps, 1), "p50_ms": round(self.p50_ms, 2),
                "p99_ms": round(self.p99_ms, 2), "errors": self.errors}


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a valid Lua string literal


def run_wrk(url: str, path: str, seconds: float, *, token: str | None = None,
            post_tokens: list[str] | None = None, marker: str = "", post_empty: bool = False,
            connections: int = CONNECTIONS) -> WrkResult:
    if shutil.which("wrk") is None:
        raise WrkMissing("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory(prefix="parley-wrk-") as tmp:
        out = Path(tmp) / "result.json"
        values = {"out": _lua_string(str(out)), "marker": marker,
                  "authorization": _lua_string(f"Bearer {token}" if token else ""),
                  "tokens": "{" + ", ".join(map(_lua_string, post_tokens or [])) + "}"}
        script = (POST if post_tokens else POST_EMPTY if post_empty else GET) % values + DONE
        if not token and not post_tokens:
            script = script.replace('wrk.headers["Authorization"] = ""\n', "")
        (Path(tmp) / "script.lua").write_text(script)
        done = subprocess.run(
            ["wrk", "-t", str(min(THREADS, connections)), "-c", str(connections),
             "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
             "-s", str(Path(tmp) / "script.lua"), url.rstrip("/") + path],
            capture_output=True, text=True)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
        raw = json.loads(out.read_text())
    errors = sum(raw[k] for k in ("connect", "read", "write", "timeout"))
    return WrkResult(requests=raw["requests"], ok=raw["requests"] - raw["status"],
                     seconds=raw["duration_us"] / 1e6, p50_ms=raw["p50_us"] / 1000,
                     p99_ms=raw["p99_us"] / 1000, errors=raw["status"] + errors)
