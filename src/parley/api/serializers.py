"""Mastodon entities (Account, Status, Notification, ...) built in bulk, without N+1 queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Count, Max, Value
from django.templatetags.static import static
from django.utils.encoding import iri_to_uri
from django.utils.html import escape, linebreaks

from parley.accounts.models import Follow, User
from parley.accounts.selectors import follow_request_count
from parley.api import rendered
from parley.filters.models import Filter, FilterKeyword, FilterStatus
from parley.filters.selectors import NO_FILTERS, ActiveFilter, FilterMatch, ViewerFilters
from parley.notifications.models import SAFETY_KINDS, Notification
from parley.posts import polls
from parley.posts import selectors as post_selectors
from parley.posts.models import MediaAttachment, Poll, Post, PostState, Tag
from parley.posts.polls import poll_of


def iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def base_url(request) -> str:
    """The site's root URL, worked out once per request (a page names it in every status)."""
    root = getattr(request, "_parley_base_url", None)
    if root is None:
        root = request.build_absolute_uri("/").rstrip("/")
        request._parley_base_url = root
    return root


def absolute_url(request, url: str) -> str:
    """``request.build_absolute_uri(url)``, without re-reading the host for a root path."""
    if url.startswith("/") and not url.startswith("//"):
        return base_url(request) + iri_to_uri(url)
    return request.build_absolute_uri(url)


class AccountStats:
    """Followers, following and post counts for many accounts in one query (a UNION ALL of
    three counts: building each ORM query costs more than running it)."""

    def __init__(self, accounts: Iterable[User]) -> None:
        ids = {a.pk for a in accounts}
        self.followers: dict[int, int] = {}
        self.following: dict[int, int] = {}
        self.posts: dict[int, tuple[int, Any]] = {}
        if not ids:
            return

        def counted(queryset, kind: str, key: str, last):
            return (queryset.values(key).annotate(n=Count("id"), last=last)
                    .values_list(Value(kind, output_field=CharField()), key, "n", "last"))

        # The counts of follows carry a date column too, unused, so the UNION's columns have
        # one type on PostgreSQL (a bare NULL is text there).
        unused = Max("created_at")
        rows = counted(Follow.objects.filter(followee_id__in=ids), "followers", "followee_id",
                       unused).union(
            counted(Follow.objects.filter(follower_id__in=ids), "following", "follower_id",
                    unused),
            counted(Post.objects.filter(author_id__in=ids, state=PostState.PUBLISHED), "posts",
                    "author_id", Max("created_at")),
            all=True)
        for kind, pk, n, last in rows:
            if kind == "posts":
                self.posts[pk] = (n, last)
            else:
                getattr(self, kind)[pk] = n


# Parley's roles as Mastodon's Role: the ids of Mastodon's built-in roles ("-99" is
# everyone), and its permission bits (invite_users 1<<16; moderators: audit log, dashboard,
# reports, taxonomies, appeals, users; admins: administrator 1<<0), sent as strings.
MASTODON_ROLES = {
    "member": {"id": "-99", "name": "", "permissions": "65536", "color": ""},
    "moderator": {"id": "1", "name": "Moderator", "permissions": "67356", "color": ""},
    "admin": {"id": "2", "name": "Admin", "permissions": "65537", "color": ""},
}


def serialize_role(user: User) -> dict[str, Any]:
    """Mastodon's Role of a member; moderators' and admins' roles are shown on profiles."""
    role = MASTODON_ROLES.get(user.role, MASTODON_ROLES["member"])
    return {**role, "highlighted": user.is_moderator}


def _image_url(image, placeholder: str) -> str:
    return image.url if image else static(placeholder)


def avatar_path(user: User) -> str:
    return _image_url(user.avatar, "web/avatar.svg")


def serialize_account(
    user: User, request, stats: AccountStats | None = None, with_source: bool = False
) -> dict[str, Any]:
    stats = stats or AccountStats([user])
    root = base_url(request)
    avatar = absolute_url(request, avatar_path(user))
    header = absolute_url(request, _image_url(user.header, "web/header.svg"))
    count, last = stats.posts.get(user.pk, (0, None))
    data = {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name,
        "locked": user.locked,
        "bot": user.bot,
        "discoverable": user.discoverable,
        # Search finds every member's visible posts; follower lists are shown to anyone.
        "indexable": True,
        "hide_collections": False,
        "noindex": False,
        "group": False,
        "created_at": iso(user.created_at),
        "note": linebreaks(escape(user.bio)) if user.bio else "",
        "url": f"{root}/@{user.username}",
        "uri": f"{root}/users/{user.username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": stats.followers.get(user.pk, 0),
        "following_count": stats.following.get(user.pk, 0),
        "statuses_count": count,
        "last_status_at": last.date().isoformat() if last else None,
        "emojis": [],
        "fields": [],
        # Mastodon lists a local account's highlighted roles (no colour, as Parley has none).
        "roles": (
            [] if user.is_suspended or not user.is_moderator
            else [{key: serialize_role(user)[key] for key in ("id", "name", "color")}]
        ),
    }
    if user.is_suspended:
        data["suspended"] = True
    if user.silenced:
        data["limited"] = True
    if with_source:
        data["source"] = {
            "privacy": user.posting_visibility,
            "sensitive": user.posting_sensitive,
            "language": user.posting_language,
            "note": user.bio,
            "fields": [],
            "follow_requests_count": follow_request_count(user),
            "discoverable": user.discoverable,
            "indexable": True,
            "hide_collections": False,
        }
        data["role"] = serialize_role(user)
    return data


def serialize_accounts(users: list[User], request) -> list[dict[str, Any]]:
    stats = AccountStats(users)
    return [serialize_account(u, request, stats) for u in users]


def serialize_media(item: MediaAttachment, request) -> dict[str, Any]:
    url = absolute_url(request, item.file.url) if item.file else None
    return {
        "id": str(item.pk),
        "type": item.kind,
        "url": url,
        "preview_url": url,
        "remote_url": None,
        "text_url": None,
        "meta": {
            "original": {
                "width": item.width,
                "height": item.height,
                "size": f"{item.width}x{item.height}",
                "aspect": (item.width / item.height) if item.height else None,
            }
        },
        "description": item.description or None,
        "blurhash": None,
    }


class StatusContext:
    """Per-page data for serialising statuses: viewer flags, account stats and the viewer's
    filters, in bulk."""

    def __init__(
        self,
        posts: list[Post],
        request,
        other_accounts: Iterable[User] = (),
        filters: ViewerFilters = NO_FILTERS,
        nested: bool = False,
    ) -> None:
        from parley.api.base import viewer

        self.request = request
        self.viewer = viewer(request)
        self.filters = filters
        self.flags = post_selectors.viewer_flags(self.viewer, posts)
        # Authors and any other accounts on the page share one set of count queries.
        accounts: dict[int, User] = {a.pk: a for a in other_accounts}
        for post in posts:
            for p in (post, post.reblog_of):
                if p is not None:
                    accounts[p.author_id] = p.author
        self.stats = AccountStats(accounts.values())
        shown_polls = [poll for post in posts for p in (post, post.reblog_of)
                       if p is not None and (poll := poll_of(p)) is not None]
        self.poll_results = polls.results_of(shown_polls, self.viewer)
        self._load_quotes(posts, nested)

    def _load_quotes(self, posts: list[Post], nested: bool) -> None:
        """Quote posts on the page (Mastodon 4.5): which quoted posts the viewer may see, in
        a few queries, only when the page has quotes or followers-only quote policies."""
        self.nested = nested
        shown = [p for post in posts for p in (post, post.reblog_of) if p is not None]
        quote_ids = {p.quote_of_id for p in shown if p.quote_state and p.quote_of_id}
        self.quote_states: dict[int, str] = {}
        self.quoted: dict[int, Post] = {}
        self.quoted_ctx: StatusContext | None = None
        if quote_ids:
            self.quote_states = dict(
                Post.objects.filter(pk__in=quote_ids).values_list("pk", "state"))
            visible = post_selectors.visible_posts(self.viewer).filter(
                pk__in=quote_ids, state=PostState.PUBLISHED)
            if nested:
                self.quoted = {pk: None for pk in visible.values_list("pk", flat=True)}
            else:
                self.quoted = {p.pk: p for p in post_selectors.with_related(visible)}
                if self.quoted:
                    self.quoted_ctx = StatusContext(list(self.quoted.values()), self.request,
                                                    nested=True)
        self.followed_authors: set[int] = set()
        if self.viewer is not None and any(p.quote_policy == "followers" for p in shown):
            from parley.accounts.models import Follow

            self.followed_authors = set(Follow.objects.filter(follower=self.viewer)
                                        .values_list("followee_id", flat=True))


def _static_fields(post: Post, request, root: str) -> dict[str, Any]:
    """What a Status shows the same to every viewer until the post changes (cached:
    ``api.rendered``)."""
    mentions = [
        {
            "id": str(u.pk),
            "username": u.username,
            "acct": u.username,
            "url": f"{root}/@{u.username}",
        }
        for u in post.mentions.all()
    ]
    tags = [{"name": t.name, "url": f"{root}/tags/{t.name}"} for t in post.tags.all()]
    url = f"{root}/@{post.author.username}/{post.pk}"
    return {
        "id": str(post.pk),
        "uri": url,
        "url": url,
        "created_at": iso(post.created_at),
        "content": post.content_html,
        "text": None,
        "spoiler_text": post.spoiler_text,
        "visibility": post.visibility,
        "sensitive": post.sensitive,
        "language": post.language or None,
        "media_attachments": [serialize_media(m, request) for m in post.media.all()],
        "mentions": mentions,
        "tags": tags,
        "emojis": [],
        "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
        "in_reply_to_account_id": (
            str(post.in_reply_to.author_id) if post.in_reply_to_id and post.in_reply_to else None
        ),
        "reblog": None,
        "application": None,
        "card": None,
        "edited_at": iso(post.edited_at),
    }


def _static_body(post: Post, request) -> dict[str, Any]:
    root = base_url(request)
    body = rendered.cached_body(post)
    if body is None or body.root != root:
        body = rendered.StaticBody(root, _static_fields(post, request, root),
                                   has_poll=poll_of(post) is not None)
        rendered.remember(post, body)
    return body.fields


def _status_body(post: Post, ctx: StatusContext) -> dict[str, Any]:
    data = {
        **_static_body(post, ctx.request),
        "account": serialize_account(post.author, ctx.request, ctx.stats),
        "reblogs_count": post.reblogs_count,
        "favourites_count": post.favourites_count,
        "replies_count": post.replies_count,
        "favourited": post.pk in ctx.flags["favourited"],
        "reblogged": post.pk in ctx.flags["reblogged"],
        "muted": False,
        "bookmarked": post.pk in ctx.flags["bookmarked"],
        "pinned": (
            post.pinned_at is not None
            and ctx.viewer is not None
            and ctx.viewer.pk == post.author_id
        ),
        "poll": (
            serialize_poll(poll, ctx.viewer, ctx.poll_results.get(poll.pk))
            if (poll := poll_of(post)) else None
        ),
        "filtered": [serialize_filter_result(m) for m in ctx.filters.matches(post)],
        "quote": _quote(post, ctx),
        "quote_approval": _quote_approval(post, ctx),
    }
    if post.state != PostState.PUBLISHED or post.distributed_at is None:
        data["parley"] = {
            "state": post.state,
            "pending_review": post.state == PostState.HELD,
            "distributed": post.distributed_at is not None,
        }
    return data


def _quote_state(post: Post, ctx: StatusContext) -> str:
    """Mastodon 4.5's quote states: accepted while the viewer may see the quoted post;
    revoked by its author; deleted; unauthorized for anything else the viewer may not see
    (held, removed, private, a blocked author)."""
    if post.quote_state == "revoked":
        return "revoked"
    if post.quote_of_id is None or ctx.quote_states.get(post.quote_of_id) in (
            None, PostState.DELETED):
        return "deleted"
    return "accepted" if post.quote_of_id in ctx.quoted else "unauthorized"


def _quote(post: Post, ctx: StatusContext) -> dict[str, Any] | None:
    """Quote (``quoted_status``: the Status, or null when unavailable); nested one level
    down, a ShallowQuote (``quoted_status_id``) as Mastodon."""
    if not post.quote_state:
        return None
    state = _quote_state(post, ctx)
    shown = state == "accepted"
    if ctx.nested:
        return {"state": state, "quoted_status_id": str(post.quote_of_id) if shown else None}
    quoted = ctx.quoted.get(post.quote_of_id) if shown else None
    body = _status_body(quoted, ctx.quoted_ctx) if quoted is not None and ctx.quoted_ctx else None
    return {"state": state, "quoted_status": body}


def _quote_approval(post: Post, ctx: StatusContext) -> dict[str, Any]:
    """QuoteApproval: who may quote the post, and what that means for the viewer."""
    quotable = post.visibility in ("public", "unlisted") and not post.reblog_of_id
    policy = post.quote_policy if quotable else "nobody"
    automatic = {"public": ["public"], "followers": ["followers"]}.get(policy, [])
    viewer = ctx.viewer
    if viewer is None:
        current = "unknown"
    elif quotable and (viewer.pk == post.author_id or policy == "public" or (
            policy == "followers" and post.author_id in ctx.followed_authors)):
        current = "automatic"
    else:
        current = "denied"
    return {"automatic": automatic, "manual": [], "current_user": current}


def serialize_poll(poll: Poll, viewer: User | None,
                   counted: polls.PollResults | None = None) -> dict[str, Any]:
    """Mastodon's Poll entity. With ``hide_totals`` only the author sees the option counts
    before the poll ends. ``counted``: the results, when loaded with the page's."""
    counted = counted or polls.results(poll, viewer)
    hidden = polls.totals_hidden(poll, viewer)
    data: dict[str, Any] = {
        "id": str(poll.pk),
        "expires_at": iso(poll.expires_at),
        "expired": poll.expired,
        "multiple": poll.multiple,
        "votes_count": counted.votes_count,
        "voters_count": counted.voters_count,
        "options": [
            {"title": title, "votes_count": None if hidden else votes}
            for title, votes in zip(poll.options, counted.option_votes, strict=True)
        ],
        "emojis": [],
    }
    if viewer is not None:
        data["voted"] = bool(counted.own_votes)
        data["own_votes"] = counted.own_votes
    return data


def serialize_status(post: Post, ctx: StatusContext) -> dict[str, Any]:
    data = _status_body(post, ctx)
    if post.reblog_of_id and post.reblog_of is not None:
        data["reblog"] = _status_body(post.reblog_of, ctx)
        data["content"] = ""
        data["favourited"] = data["reblog"]["favourited"]
        data["reblogged"] = data["reblog"]["reblogged"]
        data["bookmarked"] = data["reblog"]["bookmarked"]
    return data


def serialize_statuses(
    posts: list[Post], request, filters: ViewerFilters = NO_FILTERS
) -> list[dict[str, Any]]:
    """A page of statuses; ``filters`` (the viewer's, for the page's context) mark matches
    in ``filtered``."""
    ctx = StatusContext(posts, request, filters=filters)
    return [serialize_status(p, ctx) for p in posts]


def serialize_one_status(post: Post, request) -> dict[str, Any]:
    return serialize_statuses([post], request)[0]


def serialize_scheduled(items: list, request) -> list[dict[str, Any]]:
    """ScheduledStatus entities: ``id``, ``scheduled_at``, ``params``, ``media_attachments``."""
    from parley.posts.scheduled import media_of

    media = media_of(items)
    return [
        {
            "id": str(s.pk),
            "scheduled_at": iso(s.scheduled_at),
            "params": dict(s.params),
            "media_attachments": [serialize_media(m, request) for m in media[s.pk]],
        }
        for s in items
    ]


def serialize_notifications(
    items: list[Notification], request, filters: ViewerFilters = NO_FILTERS
) -> list[dict[str, Any]]:
    """Notifications; ``filters`` (the viewer's ``notifications`` filters) mark their statuses
    in ``filtered``, and a notification whose status a hide filter matches is left out."""
    post_ids = [n.post_id for n in items if n.post_id]
    posts = {p.pk: p for p in post_selectors.with_related(Post.objects.filter(pk__in=post_ids))}
    # A moderation warning comes from the instance: never name the moderator.
    shown = {n.pk: _recipient(n, request) if n.kind in SAFETY_KINDS else n.actor
             for n in items}
    ctx = StatusContext(list(posts.values()), request, shown.values(), filters)
    stats = ctx.stats
    statements = _statements([n.statement_id for n in items if n.statement_id])
    out = []
    for n in items:
        if n.post_id in posts and filters.hides(posts[n.post_id]):
            continue
        entry = {
            "id": str(n.pk),
            "type": n.kind,
            # Mastodon 4.3's grouped notifications (favourites, reblogs, follows).
            "group_key": n.group_key or f"ungrouped-{n.pk}",
            "created_at": iso(n.created_at),
            "account": serialize_account(shown[n.pk], request, stats),
            "status": serialize_status(posts[n.post_id], ctx) if n.post_id in posts else None,
        }
        if n.kind == "moderation_warning":
            entry["moderation_warning"] = _account_warning(
                n, statements.get(n.statement_id), request
            )
        elif n.kind in SAFETY_KINDS:
            # Parley's own types: how the recipient's appeal or report was decided.
            entry["outcome"] = {"subject_id": str(n.subject_id), "outcome": n.outcome,
                                "url": request.build_absolute_uri(n.url) if n.url else None}
        out.append(entry)
    return out


# Parley's measures as Mastodon's AccountWarning actions.
WARNING_ACTION = {
    "remove": "delete_statuses",
    "hold": "delete_statuses",
    "content_warning": "mark_statuses_as_sensitive",
    "limit_reach": "silence",
    "suspend": "suspend",
}


def _statements(ids: list[int]) -> dict:
    if not ids:
        return {}
    from parley.safety.cases.selectors import statements_by_id

    return statements_by_id(ids)


def _recipient(n: Notification, request) -> User:
    user = getattr(request, "user", None)
    return user if getattr(user, "pk", None) == n.recipient_id else n.recipient


def _account_warning(n: Notification, statement, request) -> dict[str, Any]:
    """Mastodon's AccountWarning for a statement of reasons (its page has the full text)."""
    status_ids = [str(n.post_id)] if n.post_id else []
    action, text, created = "none", "A moderator took action on your content.", n.created_at
    if statement is not None:
        case = statement.action.case
        action = WARNING_ACTION.get(statement.action.kind, "none")
        if statement.action.on_account and action == "mark_statuses_as_sensitive":
            action = "sensitive"
        text, created = statement.facts, statement.created_at
        status_ids = [str(case.post_id)] if case.post_id else []
    return {
        "id": str(n.statement_id or n.pk),
        "action": action,
        "text": text,
        "status_ids": status_ids,
        "target_account": serialize_account(_recipient(n, request), request),
        "appeal": None,
        "created_at": iso(created),
        "url": request.build_absolute_uri(f"/statements/{n.statement_id}"),
    }


def serialize_relationships(viewer: User, others: list[User]) -> list[dict[str, Any]]:
    from parley.accounts.selectors import relationships
    from parley.social.selectors import endorsed_ids, notes_by_account

    flags = relationships(viewer, others)
    ids = [o.pk for o in others]
    endorsed = endorsed_ids(viewer, ids)
    notes = notes_by_account(viewer, ids)
    return [
        {
            "id": str(o.pk),
            "following": flags[o.pk]["following"],
            "showing_reblogs": flags[o.pk]["following"],
            "notifying": False,
            "languages": None,
            "followed_by": flags[o.pk]["followed_by"],
            "blocking": flags[o.pk]["blocking"],
            "blocked_by": flags[o.pk]["blocked_by"],
            "muting": flags[o.pk]["muting"],
            "muting_notifications": flags[o.pk]["muting_notifications"],
            "requested": flags[o.pk]["requested"],
            "requested_by": flags[o.pk]["requested_by"],
            "domain_blocking": False,
            "endorsed": o.pk in endorsed,
            "note": notes.get(o.pk, ""),
        }
        for o in others
    ]


def serialize_tags(tags: list[Tag], request, as_member: bool = True) -> list[dict[str, Any]]:
    """Mastodon's Tag: with the last week's ``history``, and for a member (unless
    ``as_member`` is False) ``following`` and ``featuring``."""
    from parley.api.base import viewer as viewer_of
    from parley.posts.search import hashtag_history
    from parley.social import selectors as social

    me = viewer_of(request) if as_member else None
    histories = hashtag_history(tags)
    following = social.followed_tag_ids(me, tags)
    featuring = social.featured_tag_ids(me, tags)
    root = base_url(request)
    out = []
    for tag in tags:
        data: dict[str, Any] = {
            "id": str(tag.pk),
            "name": tag.name,
            "url": f"{root}/tags/{tag.name}",
            "history": histories[tag.pk],
        }
        if me is not None:
            data["following"] = tag.pk in following
            data["featuring"] = tag.pk in featuring
        out.append(data)
    return out


def serialize_featured_tags(owner: User, featured: list, request) -> list[dict[str, Any]]:
    """Mastodon's FeaturedTag: the profile's posts with the tag, counted from public posts."""
    from parley.social.selectors import featured_tag_stats

    stats = featured_tag_stats(owner, featured)
    root = base_url(request)
    out = []
    for item in featured:
        counted = stats.get(item.tag_id)
        out.append({
            "id": str(item.pk),
            "name": item.tag.name,
            # The web UI has no per-profile tag page yet: the tag's own page.
            "url": f"{root}/tags/{item.tag.name}",
            "statuses_count": counted.statuses_count if counted else 0,
            "last_status_at": (
                counted.last_status_at.date().isoformat()
                if counted and counted.last_status_at else None
            ),
        })
    return out


def serialize_list(a_list) -> dict[str, Any]:
    return {
        "id": str(a_list.pk),
        "title": a_list.title,
        "replies_policy": a_list.replies_policy,
        "exclusive": a_list.exclusive,
    }


def serialize_markers(markers: dict) -> dict[str, Any]:
    return {
        timeline: {
            "last_read_id": str(marker.last_read_id),
            "version": marker.version,
            "updated_at": iso(marker.updated_at),
        }
        for timeline, marker in markers.items()
    }


def _filter_fields(a_filter: Filter | ActiveFilter) -> dict[str, Any]:
    contexts = a_filter.contexts
    return {
        "id": str(a_filter.id),
        "title": a_filter.title,
        "context": contexts,
        "expires_at": iso(a_filter.expires_at),
        "filter_action": a_filter.filter_action,
    }


def serialize_filter_keyword(keyword: FilterKeyword) -> dict[str, Any]:
    return {"id": str(keyword.pk), "keyword": keyword.keyword, "whole_word": keyword.whole_word}


def serialize_filter_status(filter_status: FilterStatus) -> dict[str, Any]:
    return {"id": str(filter_status.pk), "status_id": str(filter_status.post_id)}


def serialize_filter(a_filter: Filter) -> dict[str, Any]:
    """Mastodon's Filter (v2), with its keywords and statuses."""
    return {
        **_filter_fields(a_filter),
        "keywords": [serialize_filter_keyword(k) for k in a_filter.keywords.all()],
        "statuses": [serialize_filter_status(s) for s in a_filter.statuses.all()],
    }


def serialize_filter_result(match: FilterMatch) -> dict[str, Any]:
    """Mastodon's FilterResult; its filter without keywords and statuses, as Mastodon's."""
    return {
        "filter": _filter_fields(match.filter),
        "keyword_matches": match.keyword_matches,
        "status_matches": match.status_matches,
    }


def serialize_v1_filter(keyword: FilterKeyword) -> dict[str, Any]:
    """A v2 keyword as Mastodon's v1 Filter (one phrase each)."""
    a_filter = keyword.filter
    return {
        "id": str(keyword.pk),
        "phrase": keyword.keyword,
        "context": a_filter.contexts,
        "whole_word": keyword.whole_word,
        "expires_at": iso(a_filter.expires_at),
        "irreversible": a_filter.filter_action == "hide",
    }
