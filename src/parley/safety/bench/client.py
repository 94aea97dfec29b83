"""A small JSON-over-HTTP client for the bench (standard library, one kept-alive connection
per thread), so the bench needs nothing the server does not."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from typing import Any


class APIError(Exception):
    def __init__(self, status: int, body: Any, path: str) -> None:
        super().__init__(f"{status} from {path}: {body}")
        self.status = status
        self.body = body


class Client:
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self.https = parsed.scheme == "https"
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.requests = 0
        self._local = threading.local()
        self._lock = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            conn = cls(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def call(self, method: str, path: str, token: str | None = None,
             body: dict | None = None, params: dict | None = None) -> Any:
        if params:
            path = f"{path}?{urllib.parse.urlencode(params, doseq=True)}"
        headers = {"Accept": "application/json", "Host": f"{self.host}:{self.port}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        with self._lock:
            self.requests += 1
        for attempt in range(3):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw[:200].decode(errors="replace")
        if response.status >= 400:
            raise APIError(response.status, payload, path)
        return payload

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        return self.call("GET", path, token, params=params or None)

    def post(self, path: str, token: str | None = None, body: dict | None = None) -> Any:
        return self.call("POST", path, token, body=body or {})
