"""State changes of accounts: creation, profiles, follows, blocks, mutes."""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from parley.accounts.models import (
    POSTING_VISIBILITIES,
    Block,
    Follow,
    FollowRequest,
    Mute,
    Role,
    User,
)
from parley.core.errors import Conflict, NotAllowed, NotFound, ParleyError, ValidationFailed

log = logging.getLogger(__name__)


class MailNotSent(ParleyError):
    status = 503


USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,30}$")
CONFIRM_SALT = "parley.accounts.confirm-email"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 3  # a confirmation link works for three days


def create_user(
    username: str,
    email: str,
    password: str,
    *,
    role: str = Role.MEMBER,
    display_name: str = "",
    approved: bool | None = None,
    reason: str = "",
    email_confirmed: bool = True,
) -> User:
    """Create an account. ``approved=None`` follows the instance's registration mode.

    Only self-service sign-up (``register_member``) makes an account with an unconfirmed
    email; admins, the CLI and tests create confirmed accounts."""
    if not USERNAME_RE.match(username or ""):
        raise ValidationFailed("Username must be 1-30 letters, digits or underscores")
    if role not in Role.values:
        raise ValidationFailed(f"Unknown role {role!r}")
    if _taken("username", username):
        raise ValidationFailed("Username is already taken")
    if email and _taken("email", email):
        raise ValidationFailed("Email is already in use")
    try:
        validate_password(password, User(username=username, email=email, display_name=display_name))
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages)) from exc
    if approved is None:
        approved = settings.PARLEY_REGISTRATIONS != "approval"
    from parley.safety.screening import pipeline

    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=email,
                password=password,
                role=role,
                display_name=display_name,
                is_approved=approved,
                email_confirmed=email_confirmed,
                registration_reason=reason,
                is_staff=role == Role.ADMIN,
            )
            # A refused display name undoes the sign-up (the error leaves this block).
            pipeline.screen_profile(user, new_account=True)
    except IntegrityError as exc:
        raise ValidationFailed("Username is already taken") from exc
    return user


def _taken(field: str, value: str) -> bool:
    """Whether a member has this username or email in any case, through the ``lower()``
    index (``iexact`` cannot use an index, so it read every member)."""
    return User.objects.alias(folded=Lower(field)).filter(folded=value.lower()).exists()


def register_member(
    username: str, email: str, password: str, reason: str = "", site_url: str = ""
) -> User:
    """Self-service sign-up, honouring the instance's registration mode. When email
    confirmation is on, the new member gets a link to ``site_url`` and cannot log in or post
    until they follow it."""
    if settings.PARLEY_REGISTRATIONS == "closed":
        raise NotAllowed("Registrations are closed on this instance")
    if not email:
        raise ValidationFailed("Email is required")
    confirm = settings.PARLEY_CONFIRM_EMAIL
    # One unit: an account whose confirmation mail could not be sent is not kept.
    with transaction.atomic():
        user = create_user(username, email, password, reason=reason, email_confirmed=not confirm)
        if confirm:
            try:
                send_confirmation_mail(user, site_url)
            except (OSError, smtplib.SMTPException) as exc:
                log.exception("confirmation mail to %s failed", user.email)
                raise MailNotSent(
                    "We could not send the confirmation mail. Please try again later."
                ) from exc
    return user


def confirmation_token(user: User) -> str:
    # Bound to the address: the link stops working if the email changes.
    return signing.dumps({"id": user.pk, "email": user.email}, salt=CONFIRM_SALT)


def send_confirmation_mail(user: User, site_url: str) -> None:
    """Mail the member a signed link that confirms their address."""
    link = site_url.rstrip("/") + reverse("web:confirm_email", args=[confirmation_token(user)])
    context = {
        "user": user,
        "link": link,
        "title": settings.PARLEY_INSTANCE_TITLE,
        "days": CONFIRM_MAX_AGE // 86400,
    }
    send_mail(
        render_to_string("accounts/confirm_email_subject.txt", context).strip(),
        render_to_string("accounts/confirm_email.txt", context),
        None,
        [user.email],
    )


def confirm_email(token: str) -> User:
    """Follow a confirmation link; following it twice is fine."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationFailed("This confirmation link has expired. Ask for a new one.") from exc
    except signing.BadSignature as exc:
        raise ValidationFailed("This confirmation link is not valid.") from exc
    user = User.objects.filter(pk=data.get("id"), email=data.get("email")).first()
    if user is None:
        raise ValidationFailed("This confirmation link is not valid.")
    return mark_email_confirmed(user)


def mark_email_confirmed(user: User) -> User:
    if not user.email_confirmed:
        user.email_confirmed = True
        user.save(update_fields=["email_confirmed"])
    return user


def register_member_from_ip(
    ip: str, username: str, email: str, password: str, reason: str = "", site_url: str = ""
) -> User:
    """Sign-up limited per IP: every attempt counts in ``signup_attempt_ip`` (a larger
    bucket), only an account actually created in ``signup_ip``, so a typo or a taken name
    does not cost one of the few sign-ups an address gets."""
    from parley.core import ratelimits

    ratelimits.hit("signup_attempt_ip", ip)
    with transaction.atomic():
        user = register_member(username, email, password, reason=reason, site_url=site_url)
        ratelimits.hit("signup_ip", ip)  # over the limit: the account is rolled back
    return user


def approve_user(user: User) -> User:
    user.is_approved = True
    user.save(update_fields=["is_approved"])
    return user


def update_profile(
    user: User,
    *,
    display_name: str | None = None,
    bio: str | None = None,
    avatar=None,
    header=None,
    locked: bool | None = None,
    bot: bool | None = None,
    posting_visibility: str | None = None,
    posting_sensitive: bool | None = None,
    posting_language: str | None = None,
    discoverable: bool | None = None,
) -> User:
    """Change a member's profile and posting defaults. Screening of display names and bios
    hooks in here."""
    from parley.safety.screening import pipeline

    for value in (display_name, bio):
        if value is not None and "\x00" in value:
            raise ValidationFailed("Profile text must not contain NUL characters")
    if display_name is not None:
        if len(display_name) > 100:
            raise ValidationFailed("Display name is too long (100 characters at most)")
        user.display_name = display_name
    if bio is not None:
        if len(bio) > 500:
            raise ValidationFailed("Bio is too long (500 characters at most)")
        user.bio = bio
    if avatar is not None:
        user.avatar = _checked_profile_image(avatar)
    if header is not None:
        user.header = _checked_profile_image(header)
    unlocking = locked is False and user.locked
    if locked is not None:
        user.locked = locked
    if bot is not None:
        user.bot = bot
    _set_posting_defaults(user, posting_visibility, posting_sensitive, posting_language)
    if discoverable is not None:
        user.discoverable = discoverable
    pipeline.screen_profile(user)
    with transaction.atomic():
        user.save()
        if unlocking:
            # As Mastodon: whoever was waiting when the door opens is let in.
            authorize_all_follow_requests(user)
    return user


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def _set_posting_defaults(user: User, visibility: str | None, sensitive: bool | None,
                          language: str | None) -> None:
    """Mastodon's ``source[privacy]``, ``source[sensitive]``, ``source[language]`` (an ISO
    639 code, or empty for none)."""
    if visibility is not None:
        if visibility not in POSTING_VISIBILITIES:
            raise ValidationFailed(
                f"Validation failed: default visibility must be one of "
                f"{', '.join(POSTING_VISIBILITIES)}")
        user.posting_visibility = visibility
    if sensitive is not None:
        user.posting_sensitive = sensitive
    if language is not None:
        language = language.strip().lower()
        if language and not LANGUAGE_CODE.match(language):
            raise ValidationFailed("Validation failed: default language must be an ISO 639 code")
        user.posting_language = language


def _checked_profile_image(upload):
    from parley.posts.media import name_upload, validate_image

    return name_upload(upload, validate_image(upload))


def follow(follower: User, followee: User) -> Follow | FollowRequest:
    """Follow an account; a locked account gets a request it may authorize or reject."""
    if follower.pk == followee.pk:
        raise ValidationFailed("You cannot follow yourself")
    if Block.objects.filter(blocker=followee, blocked=follower).exists():
        raise NotAllowed("This account has blocked you")
    if Block.objects.filter(blocker=follower, blocked=followee).exists():
        raise Conflict("Unblock this account before following it")
    existing = Follow.objects.filter(follower=follower, followee=followee).first()
    if existing is not None:
        return existing
    if followee.locked:
        return _request_to_follow(follower, followee)
    return _start_following(follower, followee)


def follow_many(pairs: Iterable[tuple[int, int]], batch_size: int = 2000) -> int:
    """Create many follows at once, given as (follower id, followee id): for generating or
    importing an existing graph (the load bench's community), not for a member following
    someone, which is `follow`. How many new follows were made.

    The same rules as `follow` decide which pairs become follows: no self-follows, none
    across a block either way, none of a locked account (that takes a request it answers).
    Pairs that already follow are skipped. Counts stay right because they are counted from
    the follows themselves. There are no "followed you" notifications: they tell a member
    what just happened, and for a seeded graph nothing did (100k members at ~15 follows
    each would be 1.5M notifications nobody reads, and 1.5M pushes and stream events).
    Followers' Redis home feeds are dropped after the commit, as `follow` does, so their
    next read rebuilds them with the new accounts' posts."""
    made = 0
    batch: list[tuple[int, int]] = []
    for pair in pairs:
        batch.append(pair)
        if len(batch) >= batch_size:
            made += _follow_batch(batch)
            batch = []
    if batch:
        made += _follow_batch(batch)
    return made


def _follow_batch(pairs: list[tuple[int, int]]) -> int:
    from parley.timelines import feeds

    wanted = {(a, b) for a, b in pairs if a != b}
    if not wanted:
        return 0
    ids = {i for pair in wanted for i in pair}
    followees = {b for _, b in wanted}
    followers = {a for a, _ in wanted}
    locked = set(User.objects.filter(pk__in=followees, locked=True).values_list("pk", flat=True))
    blocked = {
        pair
        for blocker, blocked_id in Block.objects.filter(blocker_id__in=ids, blocked_id__in=ids)
        .values_list("blocker_id", "blocked_id")
        for pair in ((blocker, blocked_id), (blocked_id, blocker))
    }
    existing = set(
        Follow.objects.filter(follower_id__in=followers, followee_id__in=followees)
        .values_list("follower_id", "followee_id")
    )
    new = sorted(p for p in wanted - blocked - existing if p[1] not in locked)
    with transaction.atomic():
        # ignore_conflicts: a follow made meanwhile by `follow` stays as it is.
        Follow.objects.bulk_create(
            [Follow(follower_id=a, followee_id=b) for a, b in new], ignore_conflicts=True
        )
        if feeds.enabled():
            touched = {a for a, _ in new}
            transaction.on_commit(lambda: [feeds.forget(user_id) for user_id in touched])
    return len(new)


def _start_following(follower: User, followee: User) -> Follow:
    relation, created = Follow.objects.get_or_create(follower=follower, followee=followee)
    if created:
        from parley.notifications.services import notify

        notify(recipient=followee, actor=follower, kind="follow")
    return relation


def _request_to_follow(follower: User, followee: User) -> FollowRequest:
    request, created = FollowRequest.objects.get_or_create(requester=follower, target=followee)
    if created:
        from parley.notifications.services import notify

        notify(recipient=followee, actor=follower, kind="follow_request")
    return request


def _close_follow_request(requester: User, target: User) -> bool:
    """Delete a pending request and its notification; whether there was one."""
    from parley.notifications.services import withdraw_follow_request

    deleted, _ = FollowRequest.objects.filter(requester=requester, target=target).delete()
    withdraw_follow_request(recipient=target, actor=requester)
    return deleted > 0


def authorize_follow_request(target: User, requester: User) -> Follow:
    """The locked account lets ``requester`` follow it. NotFound without a pending request."""
    with transaction.atomic():
        if not _close_follow_request(requester, target):
            raise NotFound("Record not found")
        relation, _ = Follow.objects.get_or_create(follower=requester, followee=target)
    return relation


def reject_follow_request(target: User, requester: User) -> None:
    """The locked account turns ``requester`` away. NotFound without a pending request."""
    if not _close_follow_request(requester, target):
        raise NotFound("Record not found")


def authorize_all_follow_requests(target: User) -> int:
    """Accept every pending request to ``target`` (when it unlocks); how many there were."""
    requesters = list(
        User.objects.filter(follow_requests_sent__target=target).order_by("pk")
    )
    for requester in requesters:
        _close_follow_request(requester, target)
        Follow.objects.get_or_create(follower=requester, followee=target)
    return len(requesters)


def unfollow(follower: User, followee: User) -> None:
    """Stop following, or withdraw a pending request."""
    Follow.objects.filter(follower=follower, followee=followee).delete()
    _close_follow_request(follower, followee)


def block(blocker: User, blocked: User) -> Block:
    if blocker.pk == blocked.pk:
        raise ValidationFailed("You cannot block yourself")
    with transaction.atomic():
        Follow.objects.filter(follower=blocker, followee=blocked).delete()
        Follow.objects.filter(follower=blocked, followee=blocker).delete()
        _close_follow_request(blocker, blocked)
        _close_follow_request(blocked, blocker)
        relation, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return relation


def unblock(blocker: User, blocked: User) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


# Mastodon caps nothing; a bound keeps the end date representable (about 100 years).
MAX_MUTE_SECONDS = 100 * 365 * 24 * 3600


def mute(
    muter: User, muted: User, hide_notifications: bool = True, duration: int = 0
) -> Mute:
    """Mute ``muted`` for ``duration`` seconds (0: until unmuted); muting again replaces the
    notifications choice and the end."""
    if muter.pk == muted.pk:
        raise ValidationFailed("You cannot mute yourself")
    if duration < 0 or duration > MAX_MUTE_SECONDS:
        raise ValidationFailed("Validation failed: duration is out of range")
    expires_at = timezone.now() + timedelta(seconds=duration) if duration else None
    relation, _ = Mute.objects.update_or_create(
        muter=muter,
        muted=muted,
        defaults={"hide_notifications": hide_notifications, "expires_at": expires_at},
    )
    return relation


def unmute(muter: User, muted: User) -> None:
    Mute.objects.filter(muter=muter, muted=muted).delete()


def suspend_account(user: User, until: datetime | None = None) -> User:
    """Suspend an account (``until=None``: permanently). Only safety services call this."""
    user.suspended_at = timezone.now()
    user.suspended_until = until
    user.save(update_fields=["suspended_at", "suspended_until"])
    return user


def unsuspend_account(user: User) -> User:
    user.suspended_at = None
    user.suspended_until = None
    user.save(update_fields=["suspended_at", "suspended_until"])
    return user


def silence_account(user: User, silenced: bool = True) -> User:
    user.silenced = silenced
    user.save(update_fields=["silenced"])
    return user


def sensitize_account(user: User, sensitized: bool = True) -> User:
    user.sensitized = sensitized
    user.save(update_fields=["sensitized"])
    return user


def disable_login(user: User, disabled: bool = True) -> User:
    user.is_active = not disabled
    user.save(update_fields=["is_active"])
    return user
