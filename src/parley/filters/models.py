"""A member's filters, each with keywords and statuses, applied in some contexts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class FilterContext(models.TextChoices):
    HOME = "home"  # the home timeline and lists
    NOTIFICATIONS = "notifications"
    PUBLIC = "public"  # public and hashtag timelines
    THREAD = "thread"  # a status's context
    ACCOUNT = "account"  # an account's statuses


class FilterAction(models.TextChoices):
    WARN = "warn"  # shown with ``filtered`` so apps can put it behind a warning
    HIDE = "hide"  # left out of the page
    BLUR = "blur"  # shown with ``filtered``; apps blur its media


class Filter(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_filters"
    )
    title = models.CharField(max_length=256)
    # The contexts, comma-separated: filters are read per viewer and tested in Python.
    context = models.CharField(max_length=100)
    filter_action = models.CharField(
        max_length=10, choices=FilterAction.choices, default=FilterAction.WARN
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "id"])]

    @property
    def contexts(self) -> list[str]:
        return [c for c in self.context.split(",") if c]


class FilterKeyword(models.Model):
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=512)
    whole_word = models.BooleanField(default=True)


class FilterStatus(models.Model):
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="statuses")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["filter", "post"], name="unique_filter_status")
        ]
