"""Announcements: staff notices every member sees until they end; members dismiss them and
react with unicode emoji."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from parley.accounts.models import User
from parley.core.errors import NotAllowed, NotFound, ValidationFailed
from parley.discovery.models import Announcement, AnnouncementReaction, AnnouncementRead
from parley.posts import text as post_text

MAX_TEXT = 5000
MAX_EMOJI_CHARS = 16
# What may join pictographs in one emoji: ZWJ, variation selectors, keycap, tag characters.
EMOJI_JOINERS = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"}


def add_announcement(
    text: str,
    *,
    author: User | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    all_day: bool = False,
) -> Announcement:
    """Publish an announcement (staff only: admins and moderators)."""
    if author is not None and not author.is_moderator:
        raise NotAllowed("Only moderators and admins make announcements")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Validation failed: Text can't be blank")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"Validation failed: Text is at most {MAX_TEXT} characters")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationFailed("Validation failed: Ends at must be after starts at")
    now = timezone.now()
    return Announcement.objects.create(
        text=text, content_html=post_text.render_html(text, set()),
        starts_at=starts_at, ends_at=ends_at, all_day=all_day, created_by=author,
        published_at=now, updated_at=now,
    )


def remove_announcement(announcement_id: int | str) -> None:
    if not Announcement.objects.filter(pk=_pk(announcement_id)).delete()[0]:
        raise NotFound("Record not found")


def all_announcements() -> QuerySet[Announcement]:
    return Announcement.objects.order_by("-published_at", "-pk")


def current_announcements(user: User, *, with_dismissed: bool = False) -> list[Announcement]:
    """What ``user`` sees: those not ended yet, newest first; dismissed ones only if asked."""
    queryset = Announcement.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
    if not with_dismissed:
        queryset = queryset.exclude(reads__user=user)
    return list(queryset.order_by("-published_at", "-pk"))


def get_current(announcement_id: int | str) -> Announcement:
    found = Announcement.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()), pk=_pk(announcement_id)
    ).first()
    if found is None:
        raise NotFound("Record not found")
    return found


def read_ids(user: User, items: list[Announcement]) -> set[int]:
    return set(AnnouncementRead.objects.filter(user=user, announcement__in=items)
               .values_list("announcement_id", flat=True))


def reactions_of(user: User, items: list[Announcement]) -> dict[int, list[dict]]:
    """Each announcement's reactions: name, count and whether ``user`` is among them."""
    mine = set(AnnouncementReaction.objects.filter(user=user, announcement__in=items)
               .values_list("announcement_id", "name"))
    out: dict[int, list[dict]] = {a.pk: [] for a in items}
    rows = (AnnouncementReaction.objects.filter(announcement__in=items)
            .values("announcement_id", "name").annotate(count=Count("pk"))
            .order_by("announcement_id", "name"))
    for row in rows:
        out[row["announcement_id"]].append({
            "name": row["name"], "count": row["count"],
            "me": (row["announcement_id"], row["name"]) in mine,
        })
    return out


def dismiss(user: User, announcement: Announcement) -> None:
    try:
        with transaction.atomic():
            AnnouncementRead.objects.get_or_create(announcement=announcement, user=user)
    except IntegrityError:  # dismissed twice at once
        pass


def add_reaction(user: User, announcement: Announcement, name: str) -> None:
    if not is_unicode_emoji(name):
        raise ValidationFailed("Validation failed: Name is not a recognized emoji")
    try:
        with transaction.atomic():
            AnnouncementReaction.objects.get_or_create(announcement=announcement, user=user,
                                                       name=name)
    except IntegrityError:
        pass


def remove_reaction(user: User, announcement: Announcement, name: str) -> None:
    AnnouncementReaction.objects.filter(announcement=announcement, user=user, name=name).delete()


def is_unicode_emoji(name: str) -> bool:
    """One unicode emoji (pictographs joined by ZWJ, with variation selectors, skin tones,
    keycaps or flags); custom ``:shortcode:`` emoji do not exist here."""
    if not name or len(name) > MAX_EMOJI_CHARS:
        return False
    pictographs = 0
    for char in name:
        category = unicodedata.category(char)
        if category == "So":
            pictographs += 1
        elif not (char in EMOJI_JOINERS or "\U0001f3fb" <= char <= "\U0001f3ff"
                  or "\U000e0020" <= char <= "\U000e007f" or char in "0123456789#*"):
            return False
    return pictographs > 0 or name.endswith("\u20e3")


def _pk(raw: int | str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise NotFound("Record not found") from None
