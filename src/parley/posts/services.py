"""State changes of posts. ``create_post`` is the one door every new post goes through."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from parley.accounts.models import User
from parley.core.errors import NotAllowed, NotFound, PostRejected, ValidationFailed
from parley.posts import polls, selectors
from parley.posts import text as post_text
from parley.posts.models import (
    POST_TRANSITIONS,
    Bookmark,
    IdempotencyKey,
    Like,
    MediaAttachment,
    Post,
    PostRevision,
    PostState,
    ScheduledStatus,
    Tag,
    Visibility,
)
from parley.streaming import services as stream_events

log = logging.getLogger(__name__)
MAX_MEDIA_PER_POST = 4


def _check_can_post(author: User) -> None:
    if not author.is_active or author.is_suspended:
        raise NotAllowed("Your account is suspended")
    if not author.is_approved:
        raise NotAllowed("Your account is awaiting approval")
    if not author.email_confirmed:
        raise NotAllowed("Confirm your email address first")


def _validate_text(text: str, spoiler_text: str, has_media: bool) -> None:
    # Raw checks first: a link counts 23 characters however long it is, so only a byte
    # cap bounds the text; and a 5 MB text should not reach the parsers at all.
    max_bytes = settings.PARLEY_MAX_POST_BYTES
    for label, value in (("Text", text), ("Content warning", spoiler_text)):
        if problem := post_text.unstorable_reason(value, max_bytes):
            raise ValidationFailed(f"Validation failed: {label} {problem}")
    if len(text.encode()) + len(spoiler_text.encode()) > max_bytes:
        raise ValidationFailed(
            f"Validation failed: Text is too long ({max_bytes} bytes at most, links included)"
        )
    if not text.strip() and not has_media:
        raise ValidationFailed("Validation failed: Text can't be blank")
    limit = settings.PARLEY_MAX_POST_CHARS
    if post_text.text_length(text) + len(spoiler_text) > limit:
        raise ValidationFailed(f"Validation failed: Text character limit of {limit} exceeded")


def _owned_media(author: User, media_ids: Iterable[int | str]) -> list[MediaAttachment]:
    ids = []
    for raw in media_ids:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            raise ValidationFailed("Invalid media id") from None
    if not ids:  # most posts: no query
        return []
    if len(ids) > MAX_MEDIA_PER_POST:
        raise ValidationFailed(f"Validation failed: at most {MAX_MEDIA_PER_POST} attachments")
    media = list(MediaAttachment.objects.filter(owner=author, pk__in=ids, post__isnull=True))
    if len(media) != len(set(ids)):
        raise ValidationFailed("Validation failed: media not found or already attached")
    return media


def _resolve_mentions(usernames: list[str]) -> list[User]:
    if not usernames:
        return []
    return list(
        User.objects.filter(username__in=usernames, is_active=True, suspended_at__isnull=True)
    )


def _tags(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags


def _render(text: str) -> tuple[str, list[User], list[str]]:
    mentioned = _resolve_mentions(post_text.extract_mentions(text, settings.PARLEY_DOMAIN))
    known = {u.username.lower() for u in mentioned}
    return post_text.render_html(text, known), mentioned, post_text.extract_hashtags(text)


# From the widest audience to the narrowest.
_AUDIENCE_ORDER = [Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE, Visibility.DIRECT]


def default_visibility(in_reply_to: Post | None, author: User | None = None) -> str:
    """The visibility of a post whose author picked none: the author's default (Mastodon's
    ``posting:default:visibility``), and for a reply the narrower of that and the parent's
    (a reply stays as private as the post it answers, so a reply to a DM never leaks)."""
    own = author.posting_visibility if author is not None else Visibility.PUBLIC
    if in_reply_to is None:
        return own
    return max(own, in_reply_to.visibility, key=_AUDIENCE_ORDER.index)


def create_post(
    author: User,
    text: str = "",
    *,
    spoiler_text: str = "",
    visibility: str | None = None,
    in_reply_to: Post | None = None,
    reblog_of: Post | None = None,
    media_ids: Iterable[int | str] = (),
    sensitive: bool | None = None,
    language: str | None = None,
    idempotency_key: str | None = None,
    created_at: datetime | None = None,
    poll: polls.PollSpec | None = None,
    quote_of: Post | None = None,
    quote_policy: str | None = None,
) -> Post:
    """Validate, screen and store a post (or an echo of one), then queue its fan-out.

    Screening may hold the post (only its author sees it) or reject it (PostRejected).
    ``visibility``, ``sensitive`` and ``language`` left None take the author's defaults
    (``default_visibility``: a reply is never wider than its parent).
    A ``poll``'s options are screened with the text: a threat in an option holds the post."""
    _check_can_post(author)
    if idempotency_key:
        previous = IdempotencyKey.objects.filter(user=author, key=idempotency_key).first()
        if previous is not None:
            return previous.post
    if reblog_of is not None:
        return _create_reblog(author, reblog_of)
    if visibility is not None and visibility not in Visibility.values:
        raise ValidationFailed(f"Validation failed: unknown visibility {visibility!r}")
    text = text or ""
    spoiler_text = (spoiler_text or "").strip()
    media = _owned_media(author, media_ids)
    _validate_text(text, spoiler_text, bool(media))
    if poll is not None:
        if media:
            raise ValidationFailed("Validation failed: a post with a poll cannot have media")
        poll = polls.validate_poll(poll)
    if in_reply_to is not None:
        in_reply_to = selectors.get_post(in_reply_to.pk, author)
    visibility = visibility or default_visibility(in_reply_to, author)
    if sensitive is None:
        sensitive = author.posting_sensitive
    if language is None:
        language = author.posting_language
    if quote_of is not None:
        quote_of = check_quotable(author, quote_of)
    quote_policy = _quote_policy(quote_policy, visibility)

    from parley.safety.screening import pipeline

    verdict = pipeline.screen_new_post(author, _with_options(text, poll), spoiler_text, media,
                                       accurate_follows=True)
    if verdict.outcome == "reject":
        raise PostRejected(verdict.reason or "This post violates the rules of this instance")

    content_html, mentioned, tag_names = _render(text)
    with transaction.atomic():
        post = Post.objects.create(
            author=author,
            text=text,
            content_html=content_html,
            spoiler_text=spoiler_text,
            sensitive=sensitive or bool(spoiler_text) or author.sensitized,
            visibility=visibility,
            language=(language or "")[:8],
            in_reply_to=in_reply_to,
            thread_root_id=(in_reply_to.thread_root_id or in_reply_to.pk) if in_reply_to else None,
            state=PostState.HELD if verdict.outcome == "hold" else PostState.PUBLISHED,
            limited=author.silenced,
            created_at=created_at or timezone.now(),
            quote_of=quote_of,
            quote_state="accepted" if quote_of is not None else "",
            quote_policy=quote_policy,
        )
        # A new post has none yet: add (one insert, none when empty), not set (a read first).
        if mentioned:
            post.mentions.add(*mentioned)
        if tag_names:
            post.tags.add(*_tags(tag_names))
        if poll is not None:
            polls.attach_poll(post, poll, post.created_at)
        for item in media:
            item.post = post
            item.save(update_fields=["post"])
        if in_reply_to is not None and post.state == PostState.PUBLISHED:
            Post.objects.filter(pk=in_reply_to.pk).update(replies_count=F("replies_count") + 1)
            _spread(in_reply_to)
        if idempotency_key:
            try:
                with transaction.atomic():
                    IdempotencyKey.objects.create(user=author, key=idempotency_key, post=post)
            except IntegrityError:
                transaction.set_rollback(True)
                return IdempotencyKey.objects.get(user=author, key=idempotency_key).post
        pipeline.record_post_screening(post, verdict)
        if post.state == PostState.PUBLISHED:
            _queue_distribution(post)
    return post


QUOTE_POLICIES = ("public", "followers", "nobody")


def _quote_policy(policy: str | None, visibility: str) -> str:
    """Who may quote a new post: as asked (public by default); private and direct posts
    are never quotable (Mastodon sets their policy to nobody)."""
    if policy is not None and policy not in QUOTE_POLICIES:
        raise ValidationFailed(
            f"Validation failed: quote_approval_policy must be one of {', '.join(QUOTE_POLICIES)}"
        )
    if visibility in (Visibility.PRIVATE, Visibility.DIRECT):
        return "nobody"
    return policy or "public"


def check_quotable(author: User, post: Post) -> Post:
    """The post ``author`` may quote (an echo quotes its original): 404 if ``author`` may
    not see it, 422 if it is private, direct or not published, 403 if its policy refuses."""
    post = selectors.get_post(post.pk, author)
    if post.reblog_of_id:
        post = selectors.get_post(post.reblog_of_id, author)
    if post.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise ValidationFailed("Validation failed: a private or direct post cannot be quoted")
    if post.state != PostState.PUBLISHED:
        raise ValidationFailed("Validation failed: this post cannot be quoted")
    if post.author_id != author.pk and not may_quote(author, post):
        raise NotAllowed("The author of this post does not allow you to quote it")
    return post


def may_quote(user: User, post: Post) -> bool:
    """Whether ``post``'s quote policy lets ``user`` (not its author) quote it."""
    if post.quote_policy == "public":
        return True
    if post.quote_policy == "followers":
        from parley.accounts.models import Follow

        return Follow.objects.filter(follower=user, followee_id=post.author_id).exists()
    return False


def set_quote_policy(author: User, post: Post, policy: str) -> Post:
    """The author changes who may quote its post (private and direct posts stay nobody's)."""
    if post.author_id != author.pk or post.reblog_of_id:
        raise NotFound("Record not found")
    if policy not in QUOTE_POLICIES:
        raise ValidationFailed(
            f"Validation failed: quote_approval_policy must be one of {', '.join(QUOTE_POLICIES)}"
        )
    post.quote_policy = _quote_policy(policy, post.visibility)
    Post.objects.filter(pk=post.pk).update(quote_policy=post.quote_policy)
    return post


def revoke_quote(author: User, quoted: Post, quote: Post) -> Post:
    """The quoted post's author takes its post out of another's quote (Mastodon: revoke)."""
    if quoted.author_id != author.pk or quote.quote_of_id != quoted.pk:
        raise NotFound("Record not found")
    Post.objects.filter(pk=quote.pk).update(quote_state="revoked")
    quote.quote_state = "revoked"
    return quote


class KeepPoll:
    """``edit_post``'s default for ``poll``: leave the post's poll as it is."""


KEEP_POLL = KeepPoll()


def _with_options(text: str, poll: polls.PollSpec | None) -> str:
    """The text screening reads: the post's text followed by its poll's options."""
    if poll is None:
        return text
    return "\n".join([text, *poll.options])


def _create_reblog(author: User, original: Post) -> Post:
    original = selectors.get_post(original.pk, author)
    if original.reblog_of_id:
        original = original.reblog_of
    if original.state != PostState.PUBLISHED or original.visibility not in (
        Visibility.PUBLIC,
        Visibility.UNLISTED,
    ):
        raise NotAllowed("This post cannot be echoed")
    existing = Post.objects.filter(
        author=author, reblog_of=original, state=PostState.PUBLISHED
    ).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        echo = Post.objects.create(
            author=author,
            reblog_of=original,
            visibility=original.visibility,
            limited=author.silenced,
        )
        Post.objects.filter(pk=original.pk).update(reblogs_count=F("reblogs_count") + 1)
        _queue_distribution(echo)
        _spread(original)
    return echo


def _spread(post: Post) -> None:
    """A post was echoed, replied to or liked: safety re-weighs it if it was watched."""
    from parley.safety.cases.services import rescore_watched_post

    rescore_watched_post(post)


def _queue_distribution(post: Post, *, screen: bool = True) -> None:
    from parley.timelines.services import queue_fan_out

    post_id = post.pk
    # The post row is the durable record of this fan-out: if the enqueue fails (the queue
    # is down) or the task is lost, the periodic re-queue finds the post undistributed. So
    # a failed enqueue is logged (robust) rather than failing a request already committed.
    transaction.on_commit(lambda: queue_fan_out(post_id, screen), robust=True)


def unreblog(author: User, original: Post) -> Post:
    echoes = Post.objects.filter(author=author, reblog_of=original, state=PostState.PUBLISHED)
    with transaction.atomic():
        stream_events.record_posts_gone(_distributed_ids(echoes))
        count = echoes.update(state=PostState.DELETED, state_changed_at=timezone.now())
        if count:
            Post.objects.filter(pk=original.pk, reblogs_count__gte=count).update(
                reblogs_count=F("reblogs_count") - count
            )
    original.refresh_from_db()
    return original


def edit_post(
    editor: User,
    post: Post,
    *,
    text: str,
    spoiler_text: str = "",
    sensitive: bool | None = None,
    media_ids: Iterable[int | str] | None = None,
    poll: polls.PollSpec | None | KeepPoll = KEEP_POLL,
) -> Post:
    """Edit a post; the old version is kept and the new text is screened again.

    ``poll``: KEEP_POLL leaves it as it is (the web edit form); a PollSpec replaces it
    (new options reset the votes, ``polls.replace_poll``); None removes it."""
    if post.author_id != editor.pk:
        raise NotAllowed("This action is not allowed")
    if post.reblog_of_id or post.state not in (PostState.PUBLISHED, PostState.HELD):
        raise NotFound("Record not found")
    _check_can_post(editor)
    spoiler_text = (spoiler_text or "").strip()
    has_media = post.media.exists() if media_ids is None else bool(list(media_ids))
    _validate_text(text, spoiler_text, has_media)

    from parley.safety.screening import pipeline

    media_ids = None if media_ids is None else list(media_ids)
    screened_media = post.media.all() if media_ids is None else MediaAttachment.objects.filter(
        owner=editor, pk__in=media_ids)
    existing = polls.poll_of(post)
    if isinstance(poll, polls.PollSpec):
        if has_media:
            raise ValidationFailed("Validation failed: a post with a poll cannot have media")
        poll = polls.validate_poll(poll)
    new_poll = (polls.PollSpec(existing.options, 0) if existing else None) if isinstance(
        poll, KeepPoll) else poll
    screened = _with_options(text, new_poll)
    verdict = pipeline.screen_new_post(editor, screened, spoiler_text, list(screened_media))
    if verdict.outcome == "reject":
        raise PostRejected(verdict.reason or "This post violates the rules of this instance")
    content_html, mentioned, tag_names = _render(text)
    with transaction.atomic():
        _refresh_moderation_fields(post)
        if post.state not in (PostState.PUBLISHED, PostState.HELD):
            raise NotFound("Record not found")
        PostRevision.objects.create(
            post=post,
            text=post.text,
            spoiler_text=post.spoiler_text,
            sensitive=post.sensitive,
            created_at=post.edited_at or post.created_at,
        )
        post.text = text
        post.spoiler_text = spoiler_text
        post.content_html = content_html
        if sensitive is not None:
            post.sensitive = sensitive or bool(spoiler_text)
        post.edited_at = timezone.now()
        was_published = post.state == PostState.PUBLISHED
        if verdict.outcome == "hold" and post.state == PostState.PUBLISHED:
            post.state = PostState.HELD
            post.state_changed_at = timezone.now()
        post.save(update_fields=["text", "spoiler_text", "content_html", "sensitive",
                                 "edited_at", "state", "state_changed_at"])
        if post.distributed_at is not None and was_published:
            if post.state == PostState.HELD:
                stream_events.record_posts_gone([post.pk])
            else:
                stream_events.record_post_edited(post.pk)
        post.mentions.set(mentioned)
        post.tags.set(_tags(tag_names))
        if media_ids is not None:
            media = list(MediaAttachment.objects.filter(owner=editor, pk__in=list(media_ids)))
            post.media.exclude(pk__in=[m.pk for m in media]).update(post=None)
            for item in media:
                item.post = post
                item.save(update_fields=["post"])
        if not isinstance(poll, KeepPoll):
            polls.replace_poll(post, poll, post.edited_at)
            if hasattr(post, "_state") and "poll" in post._state.fields_cache:
                del post._state.fields_cache["poll"]
        pipeline.record_post_screening(post, verdict)
    return post


def _refresh_moderation_fields(post: Post) -> None:
    """Lock the row and take what others change meanwhile (a moderator's hold or removal,
    the worker's fan-out) from the database, so an edit never writes back a stale copy."""
    fresh = (Post.objects.select_for_update()
             .only("state", "state_changed_at", "distributed_at").get(pk=post.pk))
    post.state = fresh.state
    post.state_changed_at = fresh.state_changed_at
    post.distributed_at = fresh.distributed_at


def delete_post(actor: User, post: Post) -> Post:
    """The author deletes a post. The row is kept invisible for preservation duties."""
    if post.author_id != actor.pk:
        raise NotAllowed("This action is not allowed")
    if post.state == PostState.DELETED:
        raise NotFound("Record not found")
    was_published = post.state == PostState.PUBLISHED
    with transaction.atomic():
        transition_post(post, PostState.DELETED)
        if was_published and post.in_reply_to_id:
            Post.objects.filter(pk=post.in_reply_to_id, replies_count__gt=0).update(
                replies_count=F("replies_count") - 1
            )
        if was_published and post.reblog_of_id:
            Post.objects.filter(pk=post.reblog_of_id, reblogs_count__gt=0).update(
                reblogs_count=F("reblogs_count") - 1
            )
        echoes = Post.objects.filter(reblog_of=post, state=PostState.PUBLISHED)
        stream_events.record_posts_gone(_distributed_ids(echoes))
        echoes.update(state=PostState.DELETED, state_changed_at=timezone.now())
    return post


def _distributed_ids(posts) -> list[int]:
    return list(posts.filter(distributed_at__isnull=False).values_list("pk", flat=True))


def transition_post(post: Post, new_state: str) -> Post:
    """Move a post to ``new_state`` if the state machine allows it.

    Used by authors (delete) and by safety actions (hold, release, remove, restore)."""
    if new_state == post.state:
        return post
    if new_state not in POST_TRANSITIONS[post.state]:
        raise ValidationFailed(f"A {post.state} post cannot become {new_state}")
    was_published = post.state == PostState.PUBLISHED
    post.state = new_state
    post.state_changed_at = timezone.now()
    post.save(update_fields=["state", "state_changed_at"])
    if new_state == PostState.PUBLISHED and post.distributed_at is None:
        _queue_distribution(post, screen=False)
    elif new_state == PostState.PUBLISHED:
        # Released or restored after it had reached timelines once: it streams again now.
        stream_events.record_post_distributed(post.pk)
    elif was_published:
        # The row, not this object: fan-out may have run since the caller read it.
        stream_events.record_posts_gone(_distributed_ids(Post.objects.filter(pk=post.pk)))
    return post


def favourite(user: User, post: Post) -> Post:
    post = selectors.get_post(post.pk, user)
    if post.reblog_of_id:
        post = post.reblog_of
    _, created = Like.objects.get_or_create(user=user, post=post)
    if created:
        Post.objects.filter(pk=post.pk).update(favourites_count=F("favourites_count") + 1)
        post.favourites_count += 1
        from parley.notifications.services import notify

        notify(recipient=post.author, actor=user, kind="favourite", post=post)
        _spread(post)
    return post


def unfavourite(user: User, post: Post) -> Post:
    deleted, _ = Like.objects.filter(user=user, post=post).delete()
    if deleted:
        Post.objects.filter(pk=post.pk, favourites_count__gt=0).update(
            favourites_count=F("favourites_count") - 1
        )
        post.refresh_from_db(fields=["favourites_count"])
    return post


def bookmark(user: User, post: Post) -> Post:
    """Keep a post the user may see; an echo keeps its original. Bookmarking twice is a no-op."""
    post = selectors.get_post(post.pk, user)
    if post.reblog_of_id:
        post = post.reblog_of
    Bookmark.objects.get_or_create(user=user, post=post)
    return post


def unbookmark(user: User, post_id: int) -> None:
    """Drop the user's bookmark of a post (of its original for an echo), even of a post the
    user may no longer see: the bookmark is the user's own, the post is not read."""
    reblog_of = Post.objects.filter(pk=post_id).values_list("reblog_of_id", flat=True).first()
    Bookmark.objects.filter(user=user, post_id=reblog_of or post_id).delete()


MAX_PINNED_POSTS = 5  # Mastodon's limit


def pin_post(user: User, post: Post) -> Post:
    """Feature one of the author's own public or unlisted posts on its profile (an echo
    or a post of another never; more than ``MAX_PINNED_POSTS`` is refused). Pinning a
    held post is allowed: others see it only if it is released."""
    if post.author_id != user.pk or post.reblog_of_id:
        raise ValidationFailed("Validation failed: Only your own posts can be pinned")
    if post.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise ValidationFailed("Validation failed: Only public and unlisted posts can be pinned")
    if post.pinned_at is not None:
        return post
    with transaction.atomic():
        # Lock the author's row so two pins at once cannot both pass the count.
        User.objects.select_for_update().filter(pk=user.pk).first()
        pinned = Post.objects.filter(
            author=user, pinned_at__isnull=False,
            state__in=[PostState.PUBLISHED, PostState.HELD],
        ).count()
        if pinned >= MAX_PINNED_POSTS:
            raise ValidationFailed(
                f"Validation failed: at most {MAX_PINNED_POSTS} posts can be pinned"
            )
        post.pinned_at = timezone.now()
        post.save(update_fields=["pinned_at"])
    return post


def unpin_post(user: User, post: Post) -> Post:
    if post.author_id != user.pk:
        raise ValidationFailed("Validation failed: Only your own posts can be pinned")
    if post.pinned_at is not None:
        post.pinned_at = None
        post.save(update_fields=["pinned_at"])
    return post


def attach_media(owner: User, upload, description: str = "") -> MediaAttachment:
    from parley.posts.media import clean_description, name_upload, validate_image
    from parley.safety.screening import pipeline

    checked = validate_image(upload)
    pipeline.screen_media_hash(owner, checked.sha256)
    return MediaAttachment.objects.create(
        owner=owner,
        file=name_upload(upload, checked),
        content_type=checked.content_type,
        width=checked.width,
        height=checked.height,
        sha256=checked.sha256,
        description=clean_description(description),
    )


def describe_media(item: MediaAttachment, description: str) -> MediaAttachment:
    """Change the description (alt text) of an upload."""
    from parley.posts.media import clean_description

    item.description = clean_description(description)
    item.save(update_fields=["description"])
    return item


def mark_distributed(post: Post) -> bool:
    """Record that fan-out finished. Returns False if another run already did it."""
    updated = Post.objects.filter(pk=post.pk, distributed_at__isnull=True).update(
        distributed_at=timezone.now()
    )
    return bool(updated)


def erase_member_content(user: User, keep_post_ids: set[int]) -> tuple[int, int]:
    """Erase a purged member's posts, likes, bookmarks and media, except the posts a safety
    case still needs (``keep_post_ids``): those are hidden as deleted and left to the
    preservation purge. Returns (posts erased, posts kept). Counters of others' posts that
    lose a like, an echo or a reply are recounted."""
    liked = set(Like.objects.filter(user=user).values_list("post_id", flat=True))
    mine = Post.objects.filter(author=user)
    touched = liked | set(mine.exclude(reblog_of=None).values_list("reblog_of_id", flat=True))
    touched |= set(mine.exclude(in_reply_to=None).values_list("in_reply_to_id", flat=True))
    Like.objects.filter(user=user).delete()
    Bookmark.objects.filter(user=user).delete()
    kept = 0
    for post in mine.filter(pk__in=keep_post_ids):
        if post.state in (PostState.PUBLISHED, PostState.HELD):  # a removal stays a removal
            transition_post(post, PostState.DELETED)
        kept += 1
    erased = mine.exclude(pk__in=keep_post_ids).count()
    mine.exclude(pk__in=keep_post_ids).delete()
    ScheduledStatus.objects.filter(author=user).delete()  # never published after erasure
    for media in MediaAttachment.objects.filter(owner=user, post__isnull=True):
        media.file.delete(save=False)
        media.delete()
    _recount(touched - {None})
    return erased, kept


def _recount(post_ids: set[int]) -> None:
    def counted(model, field: str = "post_id", **extra):
        return Coalesce(Subquery(
            model.objects.filter(**{field: OuterRef("pk")}, **extra).order_by()
            .values(field).annotate(n=Count("pk")).values("n")[:1]), 0)

    Post.objects.filter(pk__in=post_ids).update(
        favourites_count=counted(Like),
        reblogs_count=counted(Post, "reblog_of_id", state=PostState.PUBLISHED),
        replies_count=counted(Post, "in_reply_to_id", state=PostState.PUBLISHED),
    )


def check_new_post(
    author: User,
    text: str = "",
    *,
    spoiler_text: str = "",
    visibility: str | None = None,
    in_reply_to: Post | None = None,
    media_ids: Iterable[int | str] = (),
    poll: polls.PollSpec | None = None,
    quote_of: Post | None = None,
    quote_policy: str | None = None,
) -> str:
    """The checks ``create_post`` makes before screening, without storing anything (for a
    post scheduled for later). Returns the visibility the post will have."""
    _check_can_post(author)
    if visibility is not None and visibility not in Visibility.values:
        raise ValidationFailed(f"Validation failed: unknown visibility {visibility!r}")
    media = _owned_media(author, media_ids)
    _validate_text(text or "", (spoiler_text or "").strip(), bool(media))
    if poll is not None:
        if media:
            raise ValidationFailed("Validation failed: a post with a poll cannot have media")
        polls.validate_poll(poll)
    if in_reply_to is not None:
        in_reply_to = selectors.get_post(in_reply_to.pk, author)
    if quote_of is not None:
        check_quotable(author, quote_of)
    visibility = visibility or default_visibility(in_reply_to)
    _quote_policy(quote_policy, visibility)
    return visibility
