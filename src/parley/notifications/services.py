"""Creating and dismissing notifications. Idempotent: the same event notifies once."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from parley.accounts.models import Block, User
from parley.accounts.selectors import active_mutes
from parley.notifications.models import GROUPED_KINDS, SAFETY_KINDS, Notification
from parley.streaming import services as stream_events

# Mastodon's MAXIMUM_GROUP_SPAN_HOURS: a group takes new members for 12 hours.
GROUP_SPAN_HOURS = 12
GROUP_SPAN = timedelta(hours=GROUP_SPAN_HOURS)


def notify(
    *,
    recipient: User,
    actor: User,
    kind: str,
    post=None,
    statement_id: int | None = None,
) -> Notification | None:
    """Notify ``recipient`` unless it is the actor, or blocked/muted the actor."""
    # Decisions reach the author even if they blocked or muted the moderator.
    # A poll's end reaches its author too (Mastodon: the author is the notification's account).
    if kind not in SAFETY_KINDS and _unwanted(recipient, actor, own_poll=kind == "poll"):
        return None
    try:
        with transaction.atomic():
            # A moderation warning is one per statement of reasons (Mastodon shows it
            # without a status), so several decisions about one post all reach the author.
            lookup = {"post": post} if statement_id is None else {"statement_id": statement_id}
            notification, created = Notification.objects.get_or_create(
                recipient=recipient,
                actor=actor,
                kind=kind,
                **lookup,
                defaults={"post": post, "statement_id": statement_id,
                          "group_key": group_key_for(recipient, kind, post, timezone.now())},
            )
            if created:
                stream_events.record_notification(notification.pk, recipient.pk)
    except IntegrityError:
        return Notification.objects.filter(
            recipient=recipient, actor=actor, kind=kind, post=post
        ).first()
    return notification


def group_key_for(recipient: User, kind: str, post, now: datetime) -> str:
    """Mastodon's grouping: a favourite, reblog or follow (of the same post) joins the group
    of the latest one while that group is under 12 hours old, else starts one this hour."""
    if kind not in GROUPED_KINDS:
        return ""
    prefix = f"{kind}-{post.pk}" if post is not None else kind
    hour = int(now.timestamp()) // 3600
    previous = (
        Notification.objects.filter(
            recipient=recipient, kind=kind, post=post, created_at__gte=now - GROUP_SPAN
        )
        .exclude(group_key="")
        .order_by("-id")
        .values_list("group_key", flat=True)
        .first()
    )
    if previous and hour < int(previous.rsplit("-", 1)[1]) + GROUP_SPAN_HOURS:
        return previous
    return f"{prefix}-{hour}"


def notify_outcome(*, recipient: User, kind: str, subject_id: int, outcome: str, url: str
                   ) -> Notification:
    """Tell ``recipient`` how their appeal or report was decided, from the instance. One
    notification per appeal or report: a later decision on it refreshes that one."""
    notification, _ = Notification.objects.update_or_create(
        recipient=recipient, actor=recipient, kind=kind, subject_id=subject_id,
        defaults={"outcome": outcome, "url": url, "read": False, "created_at": timezone.now()},
    )
    stream_events.record_notification(notification.pk, recipient.pk)
    return notification


def _unwanted(recipient: User, actor: User, *, own_poll: bool = False) -> bool:
    if own_poll and recipient.pk == actor.pk:
        return False
    return (
        recipient.pk == actor.pk
        or Block.objects.filter(blocker=recipient, blocked=actor).exists()
        or active_mutes().filter(muter=recipient, muted=actor, hide_notifications=True).exists()
    )


def dismiss(recipient: User, notification_id: int) -> None:
    Notification.objects.filter(recipient=recipient, pk=notification_id).delete()


def dismiss_group(recipient: User, group_key: str) -> None:
    """Dismiss every notification of a group (``ungrouped-<id>``: that one notification);
    an unknown group dismisses nothing, as Mastodon."""
    prefix, _, number = group_key.rpartition("-")
    if prefix == "ungrouped":
        dismiss(recipient, int(number))
        return
    Notification.objects.filter(recipient=recipient, group_key=group_key).delete()


def clear(recipient: User) -> None:
    Notification.objects.filter(recipient=recipient).delete()


def withdraw_for_post(post) -> None:
    """Remove notifications pointing at a post that became invisible."""
    Notification.objects.filter(post=post).exclude(kind="moderation_warning").delete()


def withdraw_follow_request(*, recipient: User, actor: User) -> None:
    """A follow request was answered or withdrawn: its notification has nothing left to do."""
    Notification.objects.filter(recipient=recipient, actor=actor, kind="follow_request").delete()
