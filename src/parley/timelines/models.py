"""What a member keeps about its timelines: read positions (markers) and lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class MarkerTimeline(models.TextChoices):
    HOME = "home"
    NOTIFICATIONS = "notifications"


class Marker(models.Model):
    """Where a member stopped reading a timeline, shared between its apps (Mastodon's Marker).
    ``version`` counts the saves, so apps can tell a newer position from theirs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="markers"
    )
    timeline = models.CharField(max_length=16, choices=MarkerTimeline.choices)
    last_read_id = models.BigIntegerField()
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "timeline"], name="unique_marker")
        ]


class RepliesPolicy(models.TextChoices):
    """Which replies a list timeline shows: to anyone followed, to list members, or none."""

    FOLLOWED = "followed"
    LIST = "list"
    NONE = "none"


class List(models.Model):
    """A member's named group of accounts it follows, read as its own timeline."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lists"
    )
    title = models.CharField(max_length=200)
    replies_policy = models.CharField(
        max_length=10, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST
    )
    # Stored and returned; the home timeline does not hide exclusive lists' members yet.
    exclusive = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["owner", "id"])]


class ListMember(models.Model):
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["list", "account"], name="unique_list_member")
        ]


class ConversationMark(models.Model):
    """What a member did with a direct-message thread (a conversation): read it up to a post,
    or deleted it up to a post (a newer message brings it back). The conversation itself is
    read from the posts the member may see, so a held or removed message drops out of it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The thread's root post, which names the conversation in the API.
    thread_id = models.BigIntegerField()
    read_up_to = models.BigIntegerField(default=0)
    hidden_up_to = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread_id"], name="unique_conversation_mark")
        ]
