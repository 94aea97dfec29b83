"""Rendered statuses, kept in each process: the part of a Status that is the same for every
viewer and changes only with the post's row.

A page's tags, mentions, media and replied-to authors cost a query each plus rendering; a
post's content, once rendered, is reused until the post changes. The cache needs no
invalidation: an entry is found by a fingerprint of the post row's fields that any change to
those parts changes too (an edit sets ``edited_at``; a moderation action ``state_changed_at``;
attached media are described only through an edit, as on Mastodon), so a changed post simply
misses and is rendered again. Counts, the author's account, the viewer's flags, polls, quotes
and filter results are never cached: they are rendered on every read."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db.models import prefetch_related_objects

from parley.posts.models import Post
from parley.posts.selectors import load_originals, post_prefetches

MAX_ENTRIES = 20_000  # per process; an entry is ~1-3 kB


@dataclass(frozen=True)
class StaticBody:
    root: str  # the site's base URL the links were rendered with
    fields: dict[str, Any]
    has_poll: bool


class _Bodies:
    """A bounded, least-recently-used map (shared by a web process's threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[tuple, StaticBody] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> StaticBody | None:
        with self._lock:
            body = self._data.get(key)
            if body is not None:
                self._data.move_to_end(key)
            return body

    def put(self, key: tuple, body: StaticBody) -> None:
        with self._lock:
            self._data[key] = body
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_bodies = _Bodies(MAX_ENTRIES)


def fingerprint(post: Post) -> tuple:
    # created_at and author_id too: a database restored or rolled back may reuse an id.
    return (post.pk, post.created_at, post.author_id, post.edited_at, post.state_changed_at,
            post.content_html, post.spoiler_text, post.sensitive, post.visibility,
            post.language)


def cached_body(post: Post) -> StaticBody | None:
    return _bodies.get(fingerprint(post))


def remember(post: Post, body: StaticBody) -> None:
    _bodies.put(fingerprint(post), body)


def forget_all() -> None:
    _bodies.clear()


def load_for_rendering(posts: list[Post]) -> None:
    """The API's loader (``posts.selectors.with_related``): echoed originals, then the
    relations of only the posts whose rendering is not cached, and the polls of those that
    have one. Where the cache says there is no poll, none is read."""
    everything = [*posts, *load_originals(posts)]
    missing, polled = [], []
    poll_relation = Post._meta.get_field("poll")
    for post in everything:
        body = cached_body(post)
        if body is None:
            missing.append(post)
        elif body.has_poll:
            polled.append(post)
        else:
            poll_relation.set_cached_value(post, None)
    if missing:
        prefetch_related_objects(missing, *post_prefetches(poll=False))
    if missing or polled:  # one query for the page's polls, cached posts or not
        prefetch_related_objects([*missing, *polled], "poll")
