"""What the instance shows everyone: trends (from local activity) and announcements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class HiddenTrendTag(models.Model):
    """A hashtag moderators keep out of the trends (its posts and tag timeline stay)."""

    tag = models.OneToOneField("posts.Tag", on_delete=models.CASCADE, related_name="+")
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)


class Announcement(models.Model):
    """A notice from the instance's staff to every member (Mastodon's announcements).
    ``starts_at``/``ends_at`` say when what it announces happens; it shows until it ends."""

    text = models.TextField()
    content_html = models.TextField()
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True, db_index=True)
    all_day = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)


class AnnouncementRead(models.Model):
    """A member dismissed (read) an announcement."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"],
                                    name="unique_announcement_read")
        ]


class AnnouncementReaction(models.Model):
    """One member's emoji on an announcement (unicode emoji only: no custom emoji here)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user", "name"],
                                    name="unique_announcement_reaction")
        ]
