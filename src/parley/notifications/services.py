"""Creating and dismissing notifications. Idempotent: the same event notifies once."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from parley.accounts.models import Block, Mute, User
from parley.notifications.models import Notification


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
    if kind != "moderation_warning" and _unwanted(recipient, actor):
        return None
    try:
        with transaction.atomic():
            # A moderation warning is one per statement of reasons (Mastodon shows it
            # without a status), so several decisions about one post all reach the author.
            lookup = {"post": post} if statement_id is None else {"statement_id": statement_id}
            notification, _ = Notification.objects.get_or_create(
                recipient=recipient,
                actor=actor,
                kind=kind,
                **lookup,
                defaults={"post": post, "statement_id": statement_id},
            )
    except IntegrityError:
        return Notification.objects.filter(
            recipient=recipient, actor=actor, kind=kind, post=post
        ).first()
    return notification


def _unwanted(recipient: User, actor: User) -> bool:
    return (
        recipient.pk == actor.pk
        or Block.objects.filter(blocker=recipient, blocked=actor).exists()
        or Mute.objects.filter(muter=recipient, muted=actor, hide_notifications=True).exists()
    )


def dismiss(recipient: User, notification_id: int) -> None:
    Notification.objects.filter(recipient=recipient, pk=notification_id).delete()


def clear(recipient: User) -> None:
    Notification.objects.filter(recipient=recipient).delete()


def withdraw_for_post(post) -> None:
    """Remove notifications pointing at a post that became invisible."""
    Notification.objects.filter(post=post).exclude(kind="moderation_warning").delete()
