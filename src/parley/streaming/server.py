"""The streaming server: Mastodon's /api/v1/streaming over WebSocket and server-sent events,
an ASGI app fed by polling the StreamEvent outbox (`parley streaming`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import OperationalError, close_old_connections, connections

from parley.streaming import selectors
from parley.streaming.selectors import Delivery, StreamError, Subscriber

log = logging.getLogger("parley.streaming")

ROOT = "/api/v1/streaming"
# Server-sent-events paths and the stream each one is (Mastodon's routes).
SSE_STREAMS = {
    f"{ROOT}/user": "user",
    f"{ROOT}/user/notification": "user:notification",
    f"{ROOT}/public": "public",
    f"{ROOT}/public/local": "public:local",
    f"{ROOT}/public/remote": "public:remote",
    f"{ROOT}/hashtag": "hashtag",
    f"{ROOT}/hashtag/local": "hashtag:local",
    f"{ROOT}/list": "list",
    f"{ROOT}/direct": "direct",
}
HEARTBEAT_SECONDS = 15.0
QUEUE_LIMIT = 1000  # a client this far behind is disconnected rather than buffered forever
LATE_COMMIT_SECONDS = 5.0  # re-read window for events whose transaction committed late

Send = Callable[[dict], Awaitable[None]]
Receive = Callable[[], Awaitable[dict]]


def _in_db_thread(function: Callable) -> Callable[..., Awaitable[Any]]:
    """Run ``function`` in the one thread that talks to the database (Django's ORM is sync)."""

    def call(*args: Any) -> Any:
        close_old_connections()
        return function(*args)

    return sync_to_async(call, thread_sensitive=True)


open_subscriber = _in_db_thread(selectors.open_subscriber)
resolve_stream = _in_db_thread(selectors.resolve_stream)
render_batch = _in_db_thread(selectors.render_batch)
events_since = _in_db_thread(selectors.events_since)
latest_event_id = _in_db_thread(selectors.latest_event_id)


class Connection:
    """A subscriber's outgoing queue on the event loop."""

    def __init__(self, subscriber: Subscriber) -> None:
        self.subscriber = subscriber
        self.queue: asyncio.Queue[Delivery | None] = asyncio.Queue(QUEUE_LIMIT)

    def push(self, item: Delivery | None) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            log.warning("streaming: a client fell %d events behind; disconnecting", QUEUE_LIMIT)
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class Hub:
    """Polls the outbox and hands each connection what it may see.

    The seam for scaled mode: replace ``_next_events`` with a Redis pub/sub subscription;
    rendering per subscriber stays the same."""

    def __init__(self) -> None:
        self.connections: set[Connection] = set()
        self.last_id = 0
        self._seen: dict[int, float] = {}
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self.last_id = await latest_event_id()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for connection in list(self.connections):
            connection.push(None)
        await sync_to_async(connections.close_all, thread_sensitive=True)()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(settings.PARLEY_STREAMING_POLL)
            try:
                await self.poll_once()
            except OperationalError as error:  # a locked or restarting database: try again
                log.warning("streaming: polling the outbox failed: %s", error)
            except Exception:  # a bug must not end streaming for everyone
                log.exception("streaming: polling the outbox failed")
                await asyncio.sleep(1.0)

    async def _next_events(self) -> list:
        now = time.monotonic()
        events = [e for e in await events_since(self.last_id, LATE_COMMIT_SECONDS)
                  if e.pk not in self._seen]
        for event in events:
            self._seen[event.pk] = now
            self.last_id = max(self.last_id, event.pk)
        self._seen = {pk: t for pk, t in self._seen.items() if now - t < 4 * LATE_COMMIT_SECONDS}
        return events

    async def poll_once(self) -> None:
        events = await self._next_events()
        by_subscriber = {c.subscriber: c for c in self.connections}
        if not events or not by_subscriber:
            return
        deliveries, ended = await render_batch(events, list(by_subscriber))
        for subscriber in ended:
            by_subscriber[subscriber].push(None)
        for delivery in deliveries:
            by_subscriber[delivery.subscriber].push(delivery)


def _params(scope: dict) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _token(scope: dict, params: dict[str, str]) -> tuple[str | None, bool]:
    """The access token (query, Authorization header, or Sec-WebSocket-Protocol) and
    whether it came as the WebSocket protocol (which the handshake must then echo)."""
    bearer = _header(scope, b"authorization")
    if bearer.lower().startswith("bearer "):
        return bearer[7:].strip(), False
    if params.get("access_token"):
        return params["access_token"], False
    protocol = _header(scope, b"sec-websocket-protocol").split(",")[0].strip()
    return (protocol or None), bool(protocol)


def _wanted_sse_stream(path: str, params: dict[str, str]) -> str:
    name = SSE_STREAMS[path]
    if name.startswith("public"):
        if params.get("local") in ("1", "true") and name == "public":
            name = "public:local"
        if params.get("only_media") in ("1", "true"):
            name += ":media"
    return name


class StreamingApp:
    def __init__(self) -> None:
        self.hub = Hub()

    async def __call__(self, scope: dict, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.hub.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.hub.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- HTTP: health and server-sent events ---------------------------------------------

    async def _http(self, scope: dict, receive: Receive, send: Send) -> None:
        path = scope["path"].rstrip("/")
        if path == f"{ROOT}/health":
            await _answer(send, 200, b"OK", b"text/plain")
            return
        if path not in SSE_STREAMS:
            await _error(send, 404, "Not found")
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _error(send, 405, "Method not allowed")
            return
        params = _params(scope)
        try:
            subscriber = await open_subscriber(scope, _token(scope, params)[0])
            stream = await resolve_stream(subscriber, _wanted_sse_stream(path, params), params)
        except StreamError as error:
            await _error(send, error.status, error.message)
            return
        subscriber.streams.add(stream)
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/event-stream"),
            (b"cache-control", b"no-store"),
            (b"x-accel-buffering", b"no"),
        ]})
        await send({"type": "http.response.body", "body": b":)\n", "more_body": True})
        connection = Connection(subscriber)
        self.hub.connections.add(connection)
        gone = asyncio.create_task(_disconnected(receive))
        try:
            while not gone.done():
                item = await _next_or_heartbeat(connection, gone)
                if item is _HEARTBEAT:
                    chunk = b":thump\n\n"
                elif item is None:
                    break
                else:
                    chunk = f"event: {item.event}\ndata: {item.payload}\n\n".encode()
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            with contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            gone.cancel()
            self.hub.connections.discard(connection)

    # -- WebSocket ----------------------------------------------------------------------

    async def _websocket(self, scope: dict, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        params = _params(scope)
        token, as_protocol = _token(scope, params)
        try:
            if scope["path"].rstrip("/") != ROOT:
                raise StreamError(404, "Not found")
            subscriber = await open_subscriber(scope, token)
            if params.get("stream"):
                subscriber.streams.add(await resolve_stream(subscriber, params["stream"], params))
        except StreamError as error:
            await _deny(scope, send, error)
            return
        accept: dict[str, Any] = {"type": "websocket.accept"}
        if as_protocol:
            accept["subprotocol"] = token
        await send(accept)
        connection = Connection(subscriber)
        self.hub.connections.add(connection)
        writer = asyncio.create_task(_write_websocket(connection, send))
        try:
            await _read_websocket(connection, receive, send)
        finally:
            writer.cancel()
            self.hub.connections.discard(connection)
            with contextlib.suppress(asyncio.CancelledError):
                await writer


_HEARTBEAT = object()


async def _next_or_heartbeat(connection: Connection, gone: asyncio.Task) -> Any:
    getter = asyncio.ensure_future(connection.queue.get())
    done, _ = await asyncio.wait({getter, gone}, timeout=HEARTBEAT_SECONDS,
                                 return_when=asyncio.FIRST_COMPLETED)
    if getter in done:
        return getter.result()
    getter.cancel()
    return None if gone in done else _HEARTBEAT


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _write_websocket(connection: Connection, send: Send) -> None:
    while True:
        item = await connection.queue.get()
        if item is None:
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": 1000})
            return
        message = {"stream": item.stream.label(), "event": item.event, "payload": item.payload}
        await send({"type": "websocket.send", "text": json.dumps(message)})


async def _read_websocket(connection: Connection, receive: Receive, send: Send) -> None:
    """Subscribe and unsubscribe messages, until the client goes away."""
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        try:
            request = json.loads(message.get("text") or message.get("bytes") or "")
        except ValueError:
            request = None
        if not isinstance(request, dict) or request.get("type") not in ("subscribe",
                                                                          "unsubscribe"):
            await _ws_error(send, StreamError(400, "Unknown message type"))
            continue
        params = {k: str(v) for k, v in request.items() if isinstance(v, str | int)}
        try:
            stream = await resolve_stream(connection.subscriber, request.get("stream"), params)
        except StreamError as error:
            await _ws_error(send, error)
            continue
        if request["type"] == "subscribe":
            connection.subscriber.streams.add(stream)
        else:
            connection.subscriber.streams.discard(stream)


async def _ws_error(send: Send, error: StreamError) -> None:
    await send({"type": "websocket.send",
                "text": json.dumps({"error": error.message, "status": error.status})})


async def _deny(scope: dict, send: Send, error: StreamError) -> None:
    """Refuse the handshake with an HTTP status and Mastodon's error JSON where the server
    supports it (uvicorn does), else close it (the client then sees a 403)."""
    if "websocket.http.response" in scope.get("extensions", {}):
        body = json.dumps({"error": error.message}).encode()
        await send({"type": "websocket.http.response.start", "status": error.status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "websocket.http.response.body", "body": body})
        return
    await send({"type": "websocket.close", "code": 1008})


async def _answer(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type)]})
    await send({"type": "http.response.body", "body": body})


async def _error(send: Send, status: int, message: str) -> None:
    await _answer(send, status, json.dumps({"error": message}).encode(), b"application/json")
