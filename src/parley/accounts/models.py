"""Members, their profiles and the relations between them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from parley.posts.media import avatar_upload_to, header_upload_to


class Role(models.TextChoices):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


# The visibilities a member may pick as the default for new posts (Mastodon's
# ``source[privacy]``: never direct).
POSTING_VISIBILITIES = ("public", "unlisted", "private")


class User(AbstractUser):
    """A member account. Mastodon calls this an Account."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    display_name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    # Indexed: the media view finds the account by the stored name.
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True, db_index=True)
    header = models.ImageField(upload_to=header_upload_to, blank=True, db_index=True)
    locked = models.BooleanField(default=False)
    bot = models.BooleanField(default=False)
    # The member's defaults for new posts (Mastodon's preferences ``posting:default:*``).
    posting_visibility = models.CharField(
        max_length=16, default="public", choices=[(v, v) for v in POSTING_VISIBILITIES])
    posting_sensitive = models.BooleanField(default=False)
    posting_language = models.CharField(max_length=8, blank=True)
    # Opt-in to the profile directory and to follow suggestions (Mastodon's ``discoverable``).
    discoverable = models.BooleanField(default=False)
    # Sign-up in "approval" mode leaves this False until an admin approves.
    is_approved = models.BooleanField(default=True)
    registration_reason = models.TextField(blank=True)
    # Self-service sign-ups start unconfirmed and cannot log in or post until they follow
    # the link mailed to them; accounts made by admins, the CLI and tests are confirmed.
    email_confirmed = models.BooleanField(default=True)
    # Sanctions, set only through safety services.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    silenced = models.BooleanField(default=False)
    sensitized = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The member asked to delete the account: deactivated at once, purged after the grace
    # period (PARLEY_DELETION_GRACE_DAYS) by `parley user purge-deleted`.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["username"]),
            # Sign-up checks names and emails case-insensitively: without these, every new
            # member scans every member twice (quadratic when 100k are made at once).
            models.Index(Lower("username"), name="accounts_user_username_lower"),
            models.Index(Lower("email"), name="accounts_user_email_lower"),
        ]

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_suspended(self) -> bool:
        if self.suspended_at is None:
            return False
        return self.suspended_until is None or self.suspended_until > timezone.now()

    @property
    def shown_name(self) -> str:
        return self.display_name or self.username


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follower_set")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="unique_follow")
        ]
        indexes = [models.Index(fields=["followee", "follower"])]


class FollowRequest(models.Model):
    """A request to follow a locked account, pending until the account answers it."""

    requester = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="follow_requests_sent"
    )
    target = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="follow_requests_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requester", "target"], name="unique_follow_request")
        ]
        indexes = [models.Index(fields=["target", "-id"])]


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocking_set")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by_set")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="unique_block")]


class Mute(models.Model):
    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="muting_set")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="muted_by_set")
    hide_notifications = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A mute with a duration stops applying at this moment; None mutes until unmuted.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["muter", "muted"], name="unique_mute")]
