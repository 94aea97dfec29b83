"""Members deleting their own accounts: deactivated at once, purged after a grace period."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from parley.accounts.models import Block, Follow, Mute, User
from parley.core.errors import ValidationFailed
from parley.posts import services as post_services
from parley.safety.audit import record_event
from parley.safety.cases import selectors as case_selectors
from parley.social import services as social_services

# The audit log is permanent and hash-chained: it names the account only by its number.
ACTOR_LABEL = "account owner"


def grace_days() -> int:
    return int(getattr(settings, "PARLEY_DELETION_GRACE_DAYS", 30))


def request_account_deletion(user: User, password: str) -> User:
    """The member confirms with the password: the account stops at once (no login, tokens
    revoked, posts hidden from everyone) and is purged after the grace period."""
    if not password or not user.check_password(password):
        raise ValidationFailed("The password is not right")
    if user.deletion_requested_at is not None:
        return user
    with transaction.atomic():
        user.is_active = False
        user.deletion_requested_at = timezone.now()
        user.save(update_fields=["is_active", "deletion_requested_at"])
        get_refresh_token_model().objects.filter(user=user).delete()
        get_access_token_model().objects.filter(user=user).delete()
        record_event("account.deletion_requested", actor_label=ACTOR_LABEL,
                     subject_type="account", subject_id=user.pk,
                     data={"grace_days": grace_days()})
    return user


def due_for_purge(now: datetime | None = None):
    cutoff = (now or timezone.now()) - timedelta(days=grace_days())
    return User.objects.filter(deletion_requested_at__lte=cutoff, purged_at__isnull=True)


def purge_account(user: User, now: datetime | None = None) -> dict:
    """Erase the account's content and profile. The row stays, renamed and empty, so the
    moderation records about it (cases, statements, appeals) and the reports stay whole."""
    now = now or timezone.now()
    keep = case_selectors.post_ids_under_case(user)
    with transaction.atomic():
        erased, kept = post_services.erase_member_content(user, keep)
        Follow.objects.filter(follower=user).delete()
        Follow.objects.filter(followee=user).delete()
        Block.objects.filter(blocker=user).delete()
        Mute.objects.filter(muter=user).delete()
        social_services.erase_member_data(user)
        user.discoverable = False
        for image in (user.avatar, user.header):
            if image:
                image.delete(save=False)
        user.username = f"deleted-{user.pk}"
        user.email = ""
        user.display_name = user.bio = user.registration_reason = ""
        user.first_name = user.last_name = ""
        user.set_unusable_password()
        user.is_active = False
        user.purged_at = now
        user.save()
        summary = {"posts_erased": erased, "posts_kept_for_cases": kept}
        record_event("account.purged", actor_label="system", subject_type="account",
                     subject_id=user.pk, data=summary)
    return summary


def purge_deleted_accounts(now: datetime | None = None) -> list[int]:
    """Purge every account whose grace period has ended; returns their ids."""
    purged = []
    for user in due_for_purge(now).order_by("id"):
        purge_account(user, now)
        purged.append(user.pk)
    return purged
