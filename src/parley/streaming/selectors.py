"""Reads of the streaming server: who a connection is, what a stream is, and what each
event looks like to one subscriber (the REST API's selectors and serializers, so a stream
shows exactly what the timelines show)."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from parley.accounts.models import User
from parley.api.oauth import scope_satisfied
from parley.api.serializers import (
    StatusContext,
    serialize_accounts,
    serialize_notifications,
    serialize_status,
)
from parley.core.middleware import FORWARDING_HEADERS
from parley.core.ratelimits import is_trusted_proxy
from parley.filters.selectors import ViewerFilters, active_filters
from parley.notifications.selectors import notifications_for
from parley.posts.models import Post, Visibility
from parley.posts.selectors import distributed_posts, may_have_seen, with_related
from parley.streaming.models import StreamEvent, StreamEventKind
from parley.timelines import selectors as timelines
from parley.timelines.models import List

PUBLIC_STREAMS = frozenset({
    "public", "public:local", "public:remote", "public:media", "public:local:media",
    "public:remote:media", "hashtag", "hashtag:local",
})
MEMBER_STREAMS = frozenset({"user", "user:notification", "list", "direct"})
# Streams that carry statuses (update, status.update, delete); the rest carry only their own.
NOTIFICATION_STREAMS = frozenset({"user", "user:notification"})
RECHECK_LOGIN_EVERY = timedelta(seconds=5)
# The filter context of each status stream: the REST timeline it follows (Mastodon's rule).
FILTER_CONTEXTS = {"user": "home", "list": "home", "public": "public", "hashtag": "public"}


class StreamError(Exception):
    """A stream that cannot be opened: answered as Mastodon does, ``{"error": ...}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Stream:
    name: str
    tag: str = ""
    list_id: int | None = None

    def label(self) -> list[str]:
        """The ``stream`` field of a WebSocket message, as Mastodon sends it."""
        if self.tag:
            return [self.name, self.tag]
        if self.list_id is not None:
            return [self.name, str(self.list_id)]
        return [self.name]


@dataclass(eq=False)
class Subscriber:
    """One open connection: who it reads as, what it may read, and its streams."""

    user: User | None
    token_id: int | None
    scopes: frozenset[str]
    request: HttpRequest
    streams: set[Stream] = field(default_factory=set)
    checked_at: Any = None

    def may(self, scope: str) -> bool:
        return scope_satisfied(set(self.scopes), scope)


@dataclass(frozen=True)
class Delivery:
    subscriber: Subscriber
    stream: Stream
    event: str
    payload: str


# -- connecting ----------------------------------------------------------------------------


def django_request(scope: dict, user: User | None) -> HttpRequest:
    """A Django request for the serializers (host and scheme of the client's connection),
    with forwarding headers kept only from trusted proxies, as the web server does."""
    http_scope = {
        **scope,
        "type": "http",
        "method": "GET",
        "scheme": {"ws": "http", "wss": "https"}.get(scope.get("scheme", ""), scope.get("scheme")),
    }
    request = ASGIRequest(http_scope, io.BytesIO())
    if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
        for header in FORWARDING_HEADERS:
            request.META.pop(header, None)
    try:
        request.get_host()
    except DisallowedHost:
        raise StreamError(400, "Invalid host") from None
    request.user = user or AnonymousUser()
    return request


def _load_token(value: str):
    checksum = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return (
        get_access_token_model().objects.select_related("user")
        .filter(token_checksum=checksum).first()
    )


def _usable(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_approved and not user.is_suspended


def open_subscriber(scope: dict, token: str | None) -> Subscriber:
    """Authenticate a connection. No token: anonymous (public streams only)."""
    if not token:
        return Subscriber(None, None, frozenset(), django_request(scope, None),
                          checked_at=timezone.now())
    found = _load_token(token)
    if found is None or found.is_expired():
        raise StreamError(401, "Invalid access token")
    if found.user is not None and not _usable(found.user):
        raise StreamError(403, "Your login is currently disabled")
    return Subscriber(
        user=found.user,
        token_id=found.pk,
        scopes=frozenset((found.scope or "").split()),
        request=django_request(scope, found.user),
        checked_at=timezone.now(),
    )


def resolve_stream(subscriber: Subscriber, name: str | None, params: dict[str, str]) -> Stream:
    """The stream ``name`` (with its tag or list) if this subscriber may read it.

    Public streams are open to anyone the REST public timeline is open to (anonymous too);
    a token used on them still needs ``read:statuses``. The others need a member's token
    with ``read:statuses`` (``read:notifications`` for user:notification), as Mastodon."""
    if not name or name not in PUBLIC_STREAMS | MEMBER_STREAMS:
        raise StreamError(400, "Unknown stream type")
    needed = "read:notifications" if name == "user:notification" else "read:statuses"
    if name in MEMBER_STREAMS and subscriber.user is None:
        raise StreamError(401, "Missing access token")
    if subscriber.token_id is not None and not subscriber.may(needed):
        raise StreamError(403, "Access token does not have the required scopes")
    if name.startswith("hashtag"):
        tag = (params.get("tag") or "").strip().lstrip("#").lower()
        if not tag:
            raise StreamError(400, "No tag for stream provided")
        return Stream(name, tag=tag)
    if name == "list":
        list_id = params.get("list") or ""
        if not list_id.isdigit() or not List.objects.filter(
            pk=int(list_id), owner=subscriber.user
        ).exists():
            raise StreamError(401, "Not authorized to stream this list")
        return Stream(name, list_id=int(list_id))
    return Stream(name)


def still_allowed(subscriber: Subscriber) -> bool:
    """A revoked or expired token, or a suspended member, ends the connection."""
    if subscriber.token_id is None:
        return True
    now = timezone.now()
    if subscriber.checked_at and now - subscriber.checked_at < RECHECK_LOGIN_EVERY:
        return True
    subscriber.checked_at = now
    token = get_access_token_model().objects.select_related("user").filter(
        pk=subscriber.token_id).first()
    if token is None or token.is_expired():
        return False
    if token.user is not None:
        if not _usable(token.user):
            return False
        subscriber.user = token.user
        subscriber.request.user = token.user
    return True


# -- events --------------------------------------------------------------------------------


def latest_event_id() -> int:
    last = StreamEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def events_since(after_id: int, recent_seconds: float) -> list[StreamEvent]:
    """Events after ``after_id``, plus the last few seconds' (a transaction that committed
    late may have written an id below one already read; the caller skips those it saw)."""
    recent = timezone.now() - timedelta(seconds=recent_seconds)
    return list(
        StreamEvent.objects.filter(Q(pk__gt=after_id) | Q(created_at__gte=recent)).order_by("pk")
    )


def _stream_posts(stream: Stream, viewer: User | None) -> QuerySet[Post]:
    """The REST timeline a stream follows, for this viewer."""
    name = stream.name
    if name == "user":
        return timelines.home_timeline(viewer)
    if name.startswith("public"):
        if "remote" in name:
            return Post.objects.none()
        return timelines.public_timeline(viewer, only_media=name.endswith(":media"))
    if name.startswith("hashtag"):
        return timelines.tag_timeline(stream.tag, viewer)
    if name == "list":
        a_list = List.objects.filter(pk=stream.list_id, owner=viewer).first()
        return timelines.list_timeline(a_list) if a_list else Post.objects.none()
    return Post.objects.none()


def filter_context(stream: Stream) -> str | None:
    """The filter context a stream's statuses are filtered in, as the REST timeline it
    follows: home for ``user`` and ``list``, public for ``public*`` and ``hashtag*``."""
    return FILTER_CONTEXTS.get(stream.name.split(":")[0])


class Renderer:
    """Renders one batch of events for many subscribers; each post or notification is
    serialised once per viewer and host."""

    def __init__(self) -> None:
        self._cache: dict[tuple, Any] = {}

    def deliveries(self, event: StreamEvent, subscriber: Subscriber) -> list[Delivery]:
        out = []
        for stream in list(subscriber.streams):
            rendered = self._render(event, stream, subscriber)
            if rendered is not None:
                out.append(Delivery(subscriber, stream, *rendered))
        return out

    def _key(self, subscriber: Subscriber, *parts: Any) -> tuple:
        viewer_id = subscriber.user.pk if subscriber.user else None
        return (viewer_id, subscriber.request.get_host(), *parts)

    def _render(self, event: StreamEvent, stream: Stream, sub: Subscriber):
        if event.kind == StreamEventKind.NOTIFICATION:
            return self._notification(event, stream, sub)
        if stream.name == "user:notification":
            return None
        if event.kind == StreamEventKind.DELETE:
            key = self._key(sub, "seen", event.post_id)
            if key not in self._cache:
                self._cache[key] = may_have_seen(event.post_id, sub.user)
            return ("delete", str(event.post_id)) if self._cache[key] else None
        if stream.name == "direct":
            return self._conversation(event, sub) if event.kind == StreamEventKind.UPDATE else None
        post = _stream_posts(stream, sub.user).filter(pk=event.post_id).first()
        if post is None:
            return None
        filters = self._filters(sub, filter_context(stream))
        if filters.hides(post):
            return None
        return (event.kind, self._status(post, sub, filters))

    def _filters(self, sub: Subscriber, context: str | None) -> ViewerFilters:
        """The viewer's filters in force in ``context``, read once per batch."""
        key = self._key(sub, "filters", context)
        if key not in self._cache:
            self._cache[key] = active_filters(sub.user, context)
        return self._cache[key]

    def _status(self, post: Post, sub: Subscriber,
                filters: ViewerFilters | None = None) -> str:
        filters = filters if filters is not None else self._filters(sub, None)
        key = self._key(sub, "status", post.pk, tuple(f.id for f in filters.filters))
        if key not in self._cache:
            context = StatusContext([post], sub.request, filters=filters)
            self._cache[key] = json.dumps(serialize_status(post, context))
        return self._cache[key]

    def _notification(self, event: StreamEvent, stream: Stream, sub: Subscriber):
        if stream.name not in NOTIFICATION_STREAMS or sub.user is None:
            return None
        if sub.user.pk != event.recipient_id or not sub.may("read:notifications"):
            return None
        item = notifications_for(sub.user).filter(pk=event.notification_id).first()
        if item is None:
            return None
        return ("notification", json.dumps(serialize_notifications([item], sub.request)[0]))

    def _conversation(self, event: StreamEvent, sub: Subscriber):
        """A direct post to (or by) the viewer, as Mastodon's Conversation entity."""
        post = with_related(
            distributed_posts(sub.user).filter(pk=event.post_id, visibility=Visibility.DIRECT)
        ).first()
        if post is None or sub.user is None:
            return None
        others = [u for u in [post.author, *post.mentions.all()] if u.pk != sub.user.pk]
        conversation = {
            "id": str(post.thread_root_id or post.pk),
            "unread": post.author_id != sub.user.pk,
            "accounts": serialize_accounts(list({u.pk: u for u in others}.values()), sub.request),
            "last_status": json.loads(self._status(post, sub)),
        }
        return ("conversation", json.dumps(conversation))


def render_batch(events: list[StreamEvent], subscribers: list[Subscriber]
                 ) -> tuple[list[Delivery], list[Subscriber]]:
    """What each subscriber receives of ``events``, and the subscribers to disconnect."""
    renderer = Renderer()
    deliveries: list[Delivery] = []
    ended: list[Subscriber] = []
    for subscriber in subscribers:
        if not still_allowed(subscriber):
            ended.append(subscriber)
            continue
        for event in events:
            deliveries.extend(renderer.deliveries(event, subscriber))
    return deliveries, ended


def instance_streaming_url(request) -> str:
    """Where apps open the stream (instance ``urls.streaming_api``): PARLEY_STREAMING_URL;
    else the page's own origin over HTTPS (a proxy routes /api/v1/streaming); else, when
    `parley serve` runs it on its own port, that port on the host the app reached."""
    if settings.PARLEY_STREAMING_URL:
        return settings.PARLEY_STREAMING_URL.rstrip("/")
    host = request.get_host()
    if request.is_secure() or not settings.PARLEY_STREAMING_PORT:
        return f"{'wss' if request.is_secure() else 'ws'}://{host}"
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return f"ws://{hostname}:{settings.PARLEY_STREAMING_PORT}"
