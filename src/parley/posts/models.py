"""Posts (Mastodon: statuses), echoes, likes, hashtags, mentions and media."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from parley.posts.media import media_upload_to


class Visibility(models.TextChoices):
    PUBLIC = "public"
    UNLISTED = "unlisted"
    PRIVATE = "private"  # followers only
    DIRECT = "direct"


class PostState(models.TextChoices):
    """A post moves held -> published -> removed/restored; authors delete."""

    PUBLISHED = "published"
    HELD = "held"
    REMOVED = "removed"
    DELETED = "deleted"


POST_TRANSITIONS: dict[str, set[str]] = {
    PostState.HELD: {PostState.PUBLISHED, PostState.REMOVED, PostState.DELETED},
    PostState.PUBLISHED: {PostState.HELD, PostState.REMOVED, PostState.DELETED},
    PostState.REMOVED: {PostState.PUBLISHED, PostState.DELETED},
    PostState.DELETED: set(),
}


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)  # stored lower-case

    def __str__(self) -> str:
        return f"#{self.name}"


class PostQuerySet(models.QuerySet):
    """Posts; ``with_loader(f)`` has ``f(posts)`` called once on the posts it fetches (how
    ``posts.selectors.with_related`` loads what rendering reads, for a whole page at once)."""

    _loader = None
    _windowed = False

    def with_loader(self, loader) -> PostQuerySet:
        clone = self._chain()
        clone._loader = loader
        return clone

    def paged_in_windows(self) -> PostQuerySet:
        """Paged through windows of ids (``posts.selectors.paginate``): for timelines whose
        posts are spread thinly among all others (home, lists)."""
        clone = self._chain()
        clone._windowed = True
        return clone

    def _clone(self) -> PostQuerySet:
        clone = super()._clone()
        clone._loader = self._loader
        clone._windowed = self._windowed
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        loads = self._loader is not None and self._iterable_class is models.query.ModelIterable
        if fresh and loads:
            self._loader(self._result_cache)


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    text = models.TextField(blank=True)
    content_html = models.TextField(blank=True)
    spoiler_text = models.CharField(max_length=500, blank=True)
    sensitive = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    language = models.CharField(max_length=8, blank=True)
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # The first post of the thread; lets a thread be read in one query.
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reblog_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs"
    )
    state = models.CharField(max_length=10, choices=PostState.choices, default=PostState.PUBLISHED)
    # Set when the fan-out task (after the accurate screening tier) has released the
    # post to timelines, search and notifications. Until then only its own page and
    # its author's profile show it.
    distributed_at = models.DateTimeField(null=True, blank=True)
    # Limited reach: never fanned out to public timelines.
    limited = models.BooleanField(default=False)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    replies_count = models.PositiveIntegerField(default=0)
    reblogs_count = models.PositiveIntegerField(default=0)
    favourites_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # Set while the author features the post on its profile (Mastodon: pinned).
    pinned_at = models.DateTimeField(null=True, blank=True)
    # A quote post (Mastodon 4.5): the post it quotes, and the quote's state, "accepted" or
    # "revoked" (by the quoted author); blank when it quotes nothing. A quote whose post is
    # gone keeps its state with ``quote_of`` null: shown as "deleted".
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    quote_state = models.CharField(max_length=10, blank=True)
    # Who may quote this post: "public", "followers" or "nobody" (but its author).
    quote_policy = models.CharField(max_length=10, default="public")

    objects = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["author", "-id"]),
            # An account's post count and last post date (the Account entity), from the
            # index alone.
            models.Index(fields=["author", "state", "created_at"],
                         name="posts_author_state_created"),
            models.Index(fields=["state", "visibility", "-id"]),
            models.Index(fields=["thread_root", "id"]),
            models.Index(fields=["reblog_of", "author"]),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"

    @property
    def is_reblog(self) -> bool:
        return self.reblog_of_id is not None


class PostViewCount(models.Model):
    """How many times others were shown a post in one hour: one row per post and hour,
    never one per view (counted in memory and added in bulk by ``posts.viewcounts``)."""

    # No database constraint: counts buffered in memory may reach the table just after
    # their post was deleted, and a lost hour of views must never fail a page. Django still
    # deletes a post's counts with the post.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="view_counts",
                             db_constraint=False)
    hour = models.DateTimeField()  # the start of the hour, UTC
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "hour"], name="post_view_count_per_hour"),
        ]


class PostRevision(models.Model):
    """A previous version of an edited post (Mastodon's status history)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField(blank=True)
    spoiler_text = models.CharField(max_length=500, blank=True)
    sensitive = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)


class Like(models.Model):
    """Mastodon: favourite."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="unique_like")]


class Bookmark(models.Model):
    """A post a member keeps to read later; only its owner ever sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="unique_bookmark")]
        indexes = [models.Index(fields=["user", "-id"])]


class MediaAttachment(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="media"
    )
    # Stored under a random name with the extension of the detected type; rows from
    # before that keep their old name and are served by detected type all the same.
    # Indexed: the media view finds the row by the stored name.
    file = models.ImageField(upload_to=media_upload_to, db_index=True)
    kind = models.CharField(max_length=10, default="image")
    content_type = models.CharField(max_length=50, blank=True)
    description = models.TextField(blank=True, max_length=1500)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)


class IdempotencyKey(models.Model):
    """Remembers which post an ``Idempotency-Key`` created, so a retry returns it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")
        ]


class Poll(models.Model):
    """A poll attached to a post: its options are screened with the post's text."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="poll")
    options = models.JSONField(default=list)  # the option titles, in order
    expires_at = models.DateTimeField(db_index=True)
    multiple = models.BooleanField(default=False)
    hide_totals = models.BooleanField(default=False)
    # Set once the author and voters were told the poll ended (the worker's periodic job).
    ended_notified_at = models.DateTimeField(null=True, blank=True)

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PollVote(models.Model):
    """One choice of one voter; a multiple-choice poll has one row per chosen option."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_votes"
    )
    choice = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user", "choice"], name="unique_poll_choice")
        ]


class ScheduledStatus(models.Model):
    """A post its author asked to publish later (Mastodon's ScheduledStatus). The worker's
    periodic jobs publish it through ``create_post`` once ``scheduled_at`` has passed, so it
    is screened then like any post; the row goes once the post exists."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_statuses"
    )
    scheduled_at = models.DateTimeField(db_index=True)
    # The parameters of POST /api/v1/statuses, as Mastodon's ``params`` shows them.
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
