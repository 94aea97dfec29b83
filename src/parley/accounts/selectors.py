"""Reads of accounts and their relations."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from parley.accounts.models import Block, Follow, FollowRequest, Mute, User
from parley.core.errors import NotFound


def active_accounts() -> QuerySet[User]:
    """Accounts others may see: approved and not suspended."""
    not_suspended = Q(suspended_at__isnull=True) | Q(suspended_until__lte=timezone.now())
    return User.objects.filter(not_suspended, is_active=True, is_approved=True)


def active_mutes() -> QuerySet[Mute]:
    """Mutes in force: without an end, or ending later (an expired mute stops applying)."""
    return Mute.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


def mutes_of(user: User) -> QuerySet[Mute]:
    """The member's mutes in force of accounts others may see, newest first."""
    return (
        active_mutes().filter(muter=user, muted__in=active_accounts())
        .select_related("muted").order_by("-id")
    )


def get_account_with_image(stored_name: str, viewer: User | None) -> tuple[User, bool]:
    """The account whose avatar or header is stored as ``stored_name`` and whether the
    image is public. A suspended or closed account's images are shown only to itself and
    to moderators; NotFound for anyone else and for unknown names."""
    account = None
    if stored_name:
        account = User.objects.filter(Q(avatar=stored_name) | Q(header=stored_name)).first()
    if account is None:
        raise NotFound("Record not found")
    if active_accounts().filter(pk=account.pk).exists():
        return account, True
    is_member = viewer is not None and viewer.is_authenticated
    if is_member and (viewer.pk == account.pk or viewer.is_moderator):
        return account, False
    raise NotFound("Record not found")


def get_account(account_id: int | str) -> User:
    try:
        return active_accounts().get(pk=int(account_id))
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound("Record not found") from None


def accounts_by_ids(ids: list[int]) -> list[User]:
    """The accounts others may see among ``ids``, in the order asked, each once."""
    found = active_accounts().in_bulk(ids)
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def login_limit_key(login: str | None) -> str:
    """The ``login_account`` rate-limit key of what was typed at a login: the account it
    names, so its username and its email address share one budget (web and password grant)."""
    text = (login or "").strip().lower()
    pk = (
        User.objects.filter(Q(username__iexact=text) | Q(email__iexact=text))
        .order_by("id").values_list("pk", flat=True).first()
        if text else None
    )
    return f"account:{pk}" if pk is not None else text


def get_account_by_username(username: str) -> User:
    name = username.lstrip("@").split("@", 1)[0]
    try:
        return active_accounts().get(username__iexact=name)
    except User.DoesNotExist:
        raise NotFound("Record not found") from None


def search_accounts(query: str, limit: int = 40) -> QuerySet[User]:
    term = query.lstrip("@").split("@", 1)[0].strip()
    if not term:
        return User.objects.none()
    return (
        active_accounts()
        .filter(Q(username__icontains=term) | Q(display_name__icontains=term))
        .order_by("username")[:limit]
    )


def following_ids(user: User) -> list[int]:
    return list(Follow.objects.filter(follower=user).values_list("followee_id", flat=True))


def followers_of(user: User) -> QuerySet[User]:
    return active_accounts().filter(following_set__followee=user)


def followed_by(user: User) -> QuerySet[User]:
    return active_accounts().filter(follower_set__follower=user)


def is_following(follower: User, followee: User) -> bool:
    return Follow.objects.filter(follower=follower, followee=followee).exists()


def follow_requests_for(target: User) -> QuerySet[FollowRequest]:
    """Pending requests to follow ``target`` from accounts others may see, newest first."""
    return (
        FollowRequest.objects.filter(target=target, requester__in=active_accounts())
        .select_related("requester")
        .order_by("-id")
    )


def follow_request_count(target: User) -> int:
    return follow_requests_for(target).count()


def hidden_author_ids(viewer: User) -> set[int]:
    """Authors whose posts a viewer must not see in timelines: blocks both ways and mutes."""
    ids = set(Block.objects.filter(blocker=viewer).values_list("blocked_id", flat=True))
    ids |= set(Block.objects.filter(blocked=viewer).values_list("blocker_id", flat=True))
    ids |= set(active_mutes().filter(muter=viewer).values_list("muted_id", flat=True))
    return ids


def relationships(viewer: User, others: list[User]) -> dict[int, dict[str, bool]]:
    """Mastodon's relationship flags of a viewer towards each of ``others``, in 7 queries."""
    ids = [o.pk for o in others]
    following = set(
        Follow.objects.filter(follower=viewer, followee_id__in=ids).values_list(
            "followee_id", flat=True
        )
    )
    followed_by_ids = set(
        Follow.objects.filter(followee=viewer, follower_id__in=ids).values_list(
            "follower_id", flat=True
        )
    )
    blocking = set(
        Block.objects.filter(blocker=viewer, blocked_id__in=ids).values_list(
            "blocked_id", flat=True
        )
    )
    blocked_by = set(
        Block.objects.filter(blocked=viewer, blocker_id__in=ids).values_list(
            "blocker_id", flat=True
        )
    )
    requested = set(
        FollowRequest.objects.filter(requester=viewer, target_id__in=ids).values_list(
            "target_id", flat=True
        )
    )
    requested_by = set(
        FollowRequest.objects.filter(target=viewer, requester_id__in=ids).values_list(
            "requester_id", flat=True
        )
    )
    mutes = dict(
        active_mutes().filter(muter=viewer, muted_id__in=ids).values_list(
            "muted_id", "hide_notifications"
        )
    )
    return {
        pk: {
            "following": pk in following,
            "followed_by": pk in followed_by_ids,
            "blocking": pk in blocking,
            "blocked_by": pk in blocked_by,
            "muting": pk in mutes,
            "muting_notifications": bool(mutes.get(pk)),
            "requested": pk in requested,
            "requested_by": pk in requested_by,
        }
        for pk in ids
    }


def unconfirmed_account_with_email(email: str) -> User | None:
    return (
        User.objects.filter(email__iexact=email, email_confirmed=False, is_active=True)
        .order_by("id")
        .first()
    )
