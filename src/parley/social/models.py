"""Followed and featured hashtags, endorsements, account notes and dismissed suggestions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from parley.posts.models import Tag


class TagFollow(models.Model):
    """A member follows a hashtag: public posts carrying it join the member's home."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tag_follows"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="unique_tag_follow")]


class FeaturedTag(models.Model):
    """A hashtag a member shows on the profile (Mastodon's FeaturedTag)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="featured_tags"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="featured_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tag"], name="unique_featured_tag")
        ]


class Endorsement(models.Model):
    """A followed account a member features on the profile (Mastodon: account pin)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsed_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "account"], name="unique_endorsement")
        ]


class AccountNote(models.Model):
    """A member's private note about another account, seen only by the member."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_notes"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.TextField(max_length=2000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "account"], name="unique_account_note")
        ]


class DismissedSuggestion(models.Model):
    """An account a member asked not to be suggested again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dismissed_suggestions"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="unique_dismissed_suggestion")
        ]
