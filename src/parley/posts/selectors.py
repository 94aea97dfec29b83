"""Reads of posts. Every read path filters through ``visible_posts`` or ``distributed_posts``,
so held, removed, private and not-yet-screened content cannot leak through a forgotten path."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import (
    CharField,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)

from parley.accounts.models import User
from parley.core.errors import NotFound
from parley.posts.models import (
    Bookmark,
    Like,
    MediaAttachment,
    Poll,
    Post,
    PostState,
)
from parley.posts.visibility import AudienceIncludes, VisibleTo


def post_prefetches(poll: bool = True) -> tuple:
    """The relations rendering a post reads, as prefetch lookups."""
    return (
        Prefetch("in_reply_to", queryset=Post.objects.only("id", "author_id")),
        *(("poll",) if poll else ()),
        "tags",
        "mentions",
        Prefetch("media", queryset=MediaAttachment.objects.order_by("id")),
    )


def load_originals(posts: list[Post]) -> list[Post]:
    """Set each echo's original (with its author) from one query; return the originals."""
    reblog_field = Post._meta.get_field("reblog_of")
    original_ids = {p.reblog_of_id for p in posts if p.reblog_of_id}
    originals = (Post.objects.select_related("author").in_bulk(original_ids)
                 if original_ids else {})
    for post in posts:
        if post.reblog_of_id:
            reblog_field.set_cached_value(post, originals.get(post.reblog_of_id))
    return list(originals.values())


def load_related(posts: list[Post]) -> None:
    """Load what rendering ``posts`` reads, echoed originals included, for all of them at
    once: the originals in one query, then one query per relation for posts and originals
    together. Only the author is joined: each joined table adds its columns to a query
    whose building and compiling, not running, is what a read costs (seven joins were
    3.7 ms of a single status)."""
    prefetch_related_objects([*posts, *load_originals(posts)], *post_prefetches())


Loader = Callable[[list[Post]], None]


def _is_member(viewer: User | None) -> bool:
    return viewer is not None and getattr(viewer, "is_authenticated", False)


def _viewer_id(viewer: User | None) -> int | None:
    return viewer.pk if _is_member(viewer) else None


def with_related(queryset: QuerySet[Post], loader: Loader = load_related) -> QuerySet[Post]:
    """``queryset`` with what rendering its posts reads loaded as they are fetched (by
    ``loader``: the API passes one that skips what its rendered-status cache holds)."""
    return queryset.select_related("author").with_loader(loader)


def visible_posts(viewer: User | None) -> QuerySet[Post]:
    """Posts a viewer may open directly: its own page, the author's profile, a thread.

    Others' posts only once distributed (the accurate tier has seen them); the viewer's
    own posts also while held or not yet distributed (shown to it as pending)."""
    return Post.objects.filter(VisibleTo(_viewer_id(viewer)))


def distributed_posts(viewer: User | None) -> QuerySet[Post]:
    """Posts that may appear in timelines, search and notifications for a viewer:
    the same rule as ``visible_posts`` (a post is seen by others only once distributed)."""
    return visible_posts(viewer)


def may_have_seen(post_id: int, viewer: User | None) -> bool:
    """Whether the post, whatever its state now, had reached ``viewer``: distributed, and
    its author or audience included the viewer. Who is told that a post went away."""
    seen = Q(AudienceIncludes(_viewer_id(viewer)))
    if _is_member(viewer):
        seen |= Q(author_id=viewer.pk)
    return Post.objects.filter(seen, pk=post_id, distributed_at__isnull=False).exists()


def get_post(post_id: int | str, viewer: User | None, loader: Loader = load_related) -> Post:
    """One post as ``viewer`` may see it. A moderator is a member like any other here:
    private, held and removed posts reach moderators only through a case that concerns
    them (the safety API, which audits each read, and the moderator console)."""
    try:
        pk = int(post_id)
    except (TypeError, ValueError):
        raise NotFound("Record not found") from None
    queryset = with_related(visible_posts(viewer).filter(pk=pk), loader)
    post = queryset.exclude(state=PostState.DELETED).first()
    if post is None:
        raise NotFound("Record not found")
    return post


def get_poll(poll_id: int | str, viewer: User | None) -> Poll:
    """A poll, only if the viewer may see its post (as ``get_post``): 404 otherwise."""
    try:
        pk = int(poll_id)
    except (TypeError, ValueError):
        raise NotFound("Record not found") from None
    post_id = Poll.objects.filter(pk=pk).values_list("post_id", flat=True).first()
    if post_id is None:
        raise NotFound("Record not found")
    return get_post(post_id, viewer).poll


def posts_by_ids(ids: list[int], viewer: User | None) -> list[Post]:
    """The posts among ``ids`` the viewer may open (as ``get_post``), in the order asked,
    each once; the others are left out, not refused."""
    queryset = with_related(visible_posts(viewer).filter(pk__in=ids)).exclude(
        state=PostState.DELETED
    )
    found = {post.pk: post for post in queryset}
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def get_viewable_media(stored_name: str, viewer: User | None) -> MediaAttachment:
    """The upload stored as ``stored_name`` if ``viewer`` may see it, else NotFound."""
    item = MediaAttachment.objects.filter(file=stored_name).first()
    if item is None or not may_view_media(item, viewer):
        raise NotFound("Record not found")
    return item


def may_view_media(item: MediaAttachment, viewer: User | None) -> bool:
    """Its uploader always; anyone else only while they may open the post it is attached
    to, so never an unattached upload, nor media of held or removed posts. A moderator
    also sees the media of a post a case concerns: the console shows it with the case,
    whose page audits the read."""
    if _is_member(viewer) and viewer.pk == item.owner_id:
        return True
    if item.post_id is None:
        return False
    if visible_posts(viewer).filter(pk=item.post_id).exists():
        return True
    if not (_is_member(viewer) and viewer.is_moderator):
        return False
    from parley.safety.cases.models import Case

    return (
        Post.objects.filter(pk=item.post_id).exclude(state=PostState.DELETED).exists()
        and Case.objects.filter(post_id=item.post_id).exists()
    )


def media_is_public(item: MediaAttachment) -> bool:
    """Whether anyone, logged in or not, may see this upload (shared caches may keep it)."""
    return item.post_id is not None and visible_posts(None).filter(pk=item.post_id).exists()


def paginate(
    queryset: QuerySet,
    *,
    max_id: str | int | None = None,
    since_id: str | int | None = None,
    min_id: str | int | None = None,
    limit: int = 20,
    cap: int = 40,
) -> list[Post]:
    """Mastodon's id-based paging: newest first; ``min_id`` pages forward from a point.
    Pages any queryset by its own ids (posts, or bookmarks by when they were made)."""
    limit = max(1, min(int(limit or 20), cap))
    if hasattr(queryset, "feed_page"):  # a home timeline on Redis (timelines.selectors)
        page = queryset.feed_page(max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)
        if page is not None:
            return page
    if getattr(queryset, "_windowed", False):
        low = max(int(since_id or 0), int(min_id or 0))
        return _windowed_page(queryset, low, int(max_id) if max_id else None,
                              newest_first=not min_id, limit=limit)
    if max_id:
        queryset = queryset.filter(pk__lt=int(max_id))
    if since_id:
        queryset = queryset.filter(pk__gt=int(since_id))
    if min_id:
        page = list(queryset.filter(pk__gt=int(min_id)).order_by("id")[:limit])
        return page[::-1]
    return list(queryset.order_by("-id")[:limit])


WINDOW_IDS_PER_POST = 20  # the first window: this many ids per post asked for
WINDOW_GROWTH = 8


def _windowed_page(queryset: QuerySet[Post], low: int, high: int | None, *,
                   newest_first: bool, limit: int) -> list[Post]:
    """A page of posts with ids between ``low`` and ``high``, read from the window of ids
    next to where the page starts, widened eightfold until it holds the page.

    Posts followed by one member are spread thinly among everyone's. Asked for the newest
    20 of them at once, a database gathers all their posts through the author index and
    sorts them, which grows with the instance; within a window of ids the work is bounded
    by the window, and the window grows only as far as the posts are sparse."""
    span = limit * WINDOW_IDS_PER_POST
    # The window's edge is a number: given an expression (the newest id as a subquery),
    # SQLite cannot tell the range is narrow and reads through the index on state instead.
    edge = high if high is not None else (Post.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    while True:
        if newest_first:
            start = max(edge - span, low)
            page = list(queryset.filter(pk__gt=start, pk__lt=edge).order_by("-id")[:limit])
            reached_end = start <= low
        else:
            end = min(low + span, edge)
            page = list(queryset.filter(pk__gt=low, pk__lt=end).order_by("id")[:limit])[::-1]
            reached_end = end >= edge
        if len(page) >= limit or reached_end:
            return page
        span *= WINDOW_GROWTH


def viewer_flags(viewer: User | None, posts: list[Post]) -> dict[str, set[int]]:
    """Which of ``posts`` (and their originals) the viewer liked, echoed or bookmarked."""
    if not _is_member(viewer) or not posts:
        return {"favourited": set(), "reblogged": set(), "bookmarked": set()}
    ids = {p.pk for p in posts} | {p.reblog_of_id for p in posts if p.reblog_of_id}
    # One query (UNION ALL) instead of three: building and compiling each ORM query costs
    # more than running it, on every page read.
    liked = Like.objects.filter(user=viewer, post_id__in=ids).values_list(
        Value("favourited", output_field=CharField()), "post_id")
    echoed = (Post.objects.filter(author=viewer, reblog_of_id__in=ids)
              .exclude(state=PostState.DELETED)
              .values_list(Value("reblogged", output_field=CharField()), "reblog_of_id"))
    kept = Bookmark.objects.filter(user=viewer, post_id__in=ids).values_list(
        Value("bookmarked", output_field=CharField()), "post_id")
    flags: dict[str, set[int]] = {"favourited": set(), "reblogged": set(), "bookmarked": set()}
    for kind, post_id in liked.union(echoed, kept, all=True):
        flags[kind].add(post_id)
    return flags


def bookmarks_of(viewer: User) -> QuerySet[Bookmark]:
    """The viewer's bookmarks of posts it may still see (a held, removed or deleted post,
    or one whose audience no longer includes the viewer, drops out until it may again)."""
    return Bookmark.objects.filter(
        user=viewer, post_id__in=distributed_posts(viewer).values("pk")
    )


def posts_of_bookmarks(bookmarks: list[Bookmark]) -> list[Post]:
    """The posts of a page of bookmarks, in the page's order, with what serialising needs."""
    by_id = with_related(Post.objects.filter(pk__in=[b.post_id for b in bookmarks])).in_bulk()
    return [by_id[b.post_id] for b in bookmarks if b.post_id in by_id]


def thread_context(post: Post, viewer: User | None) -> tuple[list[Post], list[Post]]:
    """Ancestors (oldest first) and descendants (in order) a viewer may see, in 2 queries."""
    root_id = post.thread_root_id or post.pk
    visible = with_related(visible_posts(viewer)).filter(Q(thread_root_id=root_id) | Q(pk=root_id))
    by_id = {p.pk: p for p in visible}
    ancestors: list[Post] = []
    parent_id = post.in_reply_to_id
    while parent_id and parent_id in by_id:
        ancestors.append(by_id[parent_id])
        parent_id = by_id[parent_id].in_reply_to_id
    ancestors.reverse()
    children: dict[int, list[Post]] = {}
    for candidate in sorted(by_id.values(), key=lambda p: p.pk):
        if candidate.in_reply_to_id:
            children.setdefault(candidate.in_reply_to_id, []).append(candidate)
    descendants: list[Post] = []
    stack = list(reversed(children.get(post.pk, [])))
    while stack:
        node = stack.pop()
        descendants.append(node)
        stack.extend(reversed(children.get(node.pk, [])))
    return ancestors, descendants


def account_posts(
    account: User,
    viewer: User | None,
    *,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    only_media: bool = False,
    tagged: str | None = None,
    pinned: bool = False,
) -> QuerySet[Post]:
    """An account's posts the viewer may see; ``pinned`` only those it features (a held or
    removed pinned post drops out for others through ``visible_posts``)."""
    queryset = with_related(visible_posts(viewer).filter(author=account))
    if pinned:
        queryset = queryset.filter(pinned_at__isnull=False)
    if exclude_replies:
        queryset = queryset.filter(Q(in_reply_to__isnull=True) | Q(in_reply_to__author=account))
    if exclude_reblogs:
        queryset = queryset.filter(reblog_of__isnull=True)
    if only_media:
        queryset = queryset.filter(Exists(MediaAttachment.objects.filter(post=OuterRef("pk"))))
    if tagged:
        queryset = queryset.filter(tags__name=tagged.lower())
    return queryset
