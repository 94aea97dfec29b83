"""State changes of followed and featured hashtags, endorsements, notes and suggestions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from parley.accounts.models import Follow, User
from parley.core.errors import NotFound, ValidationFailed
from parley.posts.models import Tag
from parley.posts.text import extract_hashtags
from parley.social.models import (
    AccountNote,
    DismissedSuggestion,
    Endorsement,
    FeaturedTag,
    TagFollow,
)

# Mastodon's limit of hashtags featured on one profile.
MAX_FEATURED_TAGS = 10


def normalized_tag_name(name: str) -> str | None:
    """The stored (lower-case) name of a hashtag written with or without '#', or None when
    it could not be a hashtag in a post."""
    bare = (name or "").strip().removeprefix("#")
    found = extract_hashtags(f"#{bare}")
    return found[0] if found and found[0] == bare.lower() else None


def _tag_named(name: str) -> Tag:
    normalized = normalized_tag_name(name)
    if normalized is None:
        raise ValidationFailed("Validation failed: Name is not a valid hashtag")
    tag, _ = Tag.objects.get_or_create(name=normalized)
    return tag


def follow_tag(user: User, name: str) -> Tag:
    tag = _tag_named(name)
    TagFollow.objects.get_or_create(user=user, tag=tag)
    return tag


def unfollow_tag(user: User, name: str) -> Tag:
    tag = _tag_named(name)
    TagFollow.objects.filter(user=user, tag=tag).delete()
    return tag


def feature_tag(user: User, name: str) -> FeaturedTag:
    tag = _tag_named(name)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if FeaturedTag.objects.filter(user=user, tag=tag).exists():
            raise ValidationFailed("Validation failed: Tag is already featured")
        if FeaturedTag.objects.filter(user=user).count() >= MAX_FEATURED_TAGS:
            raise ValidationFailed(
                f"Validation failed: You can feature at most {MAX_FEATURED_TAGS} hashtags"
            )
        return FeaturedTag.objects.create(user=user, tag=tag)


def unfeature_tag(user: User, featured_tag_id: int) -> None:
    deleted, _ = FeaturedTag.objects.filter(user=user, pk=featured_tag_id).delete()
    if not deleted:
        raise NotFound("Record not found")


def endorse(owner: User, account: User) -> Endorsement:
    """Feature a followed account on the owner's profile (only accounts the owner follows)."""
    if not Follow.objects.filter(follower=owner, followee=account).exists():
        raise ValidationFailed("Validation failed: You can only endorse accounts you follow")
    endorsement, _ = Endorsement.objects.get_or_create(owner=owner, account=account)
    return endorsement


def unendorse(owner: User, account: User) -> None:
    Endorsement.objects.filter(owner=owner, account=account).delete()


def set_note(owner: User, account: User, comment: str) -> AccountNote | None:
    """Write the owner's private note on ``account``; an empty note removes it."""
    if not comment.strip():
        AccountNote.objects.filter(owner=owner, account=account).delete()
        return None
    note, _ = AccountNote.objects.update_or_create(
        owner=owner, account=account,
        defaults={"comment": comment, "updated_at": timezone.now()},
    )
    return note


def dismiss_suggestion(user: User, account: User) -> None:
    DismissedSuggestion.objects.get_or_create(user=user, account=account)


def erase_member_data(user: User) -> None:
    """Erase what a purged account kept here: followed and featured tags, endorsements, its
    notes on others and dismissed suggestions."""
    TagFollow.objects.filter(user=user).delete()
    FeaturedTag.objects.filter(user=user).delete()
    Endorsement.objects.filter(owner=user).delete()
    AccountNote.objects.filter(owner=user).delete()
    DismissedSuggestion.objects.filter(user=user).delete()
