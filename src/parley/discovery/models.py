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
