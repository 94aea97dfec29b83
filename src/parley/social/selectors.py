"""Reads of followed and featured hashtags, endorsements, notes, follow suggestions, familiar
followers and the profile directory. Counts of posts come only from posts anyone may see, so
a held or removed post shows in no count or date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from parley.accounts.models import Block, Follow, FollowRequest, User
from parley.accounts.selectors import active_accounts, active_mutes
from parley.core.errors import NotFound
from parley.posts.models import Post, Tag, Visibility
from parley.posts.selectors import distributed_posts
from parley.social.models import (
    AccountNote,
    DismissedSuggestion,
    Endorsement,
    FeaturedTag,
    TagFollow,
)


def _public_posts() -> QuerySet[Post]:
    """Original public posts anyone may see (what tag counts are made of)."""
    return distributed_posts(None).filter(
        visibility=Visibility.PUBLIC, reblog_of__isnull=True, limited=False
    )


# -- hashtags ------------------------------------------------------------------------------


def find_tag(name: str) -> Tag | None:
    return Tag.objects.filter(name=name).first()


def followed_tag_ids(user: User | None, tags: list[Tag]) -> set[int]:
    if user is None or not tags:
        return set()
    return set(
        TagFollow.objects.filter(user=user, tag__in=tags).values_list("tag_id", flat=True)
    )


def featured_tag_ids(user: User | None, tags: list[Tag]) -> set[int]:
    if user is None or not tags:
        return set()
    return set(
        FeaturedTag.objects.filter(user=user, tag__in=tags).values_list("tag_id", flat=True)
    )


def followed_tags(user: User) -> QuerySet[TagFollow]:
    """The member's tag follows, with their tags; page them by their ids."""
    return TagFollow.objects.filter(user=user).select_related("tag")


def followed_tag_posts(user: User) -> Q:
    """Public original posts carrying a hashtag the member follows (for its home)."""
    followed = TagFollow.objects.filter(user=user).values("tag_id")
    tagged = Post.tags.through.objects.filter(post_id=OuterRef("pk"), tag_id__in=followed)
    return Q(visibility=Visibility.PUBLIC, reblog_of__isnull=True, limited=False) & Exists(
        tagged
    )


@dataclass(frozen=True)
class FeaturedTagStats:
    statuses_count: int
    last_status_at: datetime | None


def featured_tags_of(user: User) -> list[FeaturedTag]:
    return list(FeaturedTag.objects.filter(user=user).select_related("tag").order_by("id"))


def get_featured_tag(user: User, featured_tag_id: int) -> FeaturedTag:
    found = FeaturedTag.objects.filter(user=user, pk=featured_tag_id).first()
    if found is None:
        raise NotFound("Record not found")
    return found


def featured_tag_stats(user: User, featured: list[FeaturedTag]) -> dict[int, FeaturedTagStats]:
    """Per tag id: how many of the member's public posts carry it and the newest one's time."""
    rows = (
        _public_posts()
        .filter(author=user, tags__in=[f.tag_id for f in featured])
        .values("tags")
        .annotate(n=Count("id"), last=Max("created_at"))
        .values_list("tags", "n", "last")
    )
    return {tag_id: FeaturedTagStats(n, last) for tag_id, n, last in rows}


def featured_tag_suggestions(user: User, limit: int = 10) -> list[Tag]:
    """The hashtags the member uses most in public posts and does not feature yet."""
    featured = FeaturedTag.objects.filter(user=user).values("tag_id")
    rows = (
        Post.tags.through.objects.filter(post__in=_public_posts().filter(author=user))
        .exclude(tag_id__in=featured)
        .values("tag_id")
        .annotate(n=Count("post_id"))
        .order_by("-n", "tag_id")
        .values_list("tag_id", flat=True)[:limit]
    )
    ids = list(rows)
    found = Tag.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


# -- endorsements and notes ----------------------------------------------------------------


def endorsements_of(owner: User) -> QuerySet[Endorsement]:
    """Accounts the owner endorses and still follows, with those accounts; page by ids."""
    still_followed = Follow.objects.filter(follower=owner).values("followee_id")
    return Endorsement.objects.filter(
        owner=owner, account__in=active_accounts(), account_id__in=still_followed
    ).select_related("account")


def endorsed_ids(owner: User, ids: list[int]) -> set[int]:
    return set(endorsements_of(owner).filter(account_id__in=ids).values_list(
        "account_id", flat=True))


def notes_by_account(owner: User, ids: list[int]) -> dict[int, str]:
    return dict(
        AccountNote.objects.filter(owner=owner, account_id__in=ids).values_list(
            "account_id", "comment"
        )
    )


# -- finding people ------------------------------------------------------------------------


def familiar_followers(viewer: User, ids: list[int]) -> dict[int, list[User]]:
    """For each account id: the accounts the viewer follows that follow it."""
    rows = (
        Follow.objects.filter(
            followee_id__in=ids,
            follower__in=active_accounts().filter(follower_set__follower=viewer),
        )
        .exclude(follower=viewer)
        .select_related("follower")
        .order_by("-id")
    )
    found: dict[int, list[User]] = {pk: [] for pk in ids}
    for row in rows:
        found[row.followee_id].append(row.follower)
    return found


def _discoverable() -> QuerySet[User]:
    """Accounts that opted into discovery and are neither suspended nor limited."""
    return active_accounts().filter(discoverable=True, silenced=False)


@dataclass(frozen=True)
class Suggestion:
    account: User
    sources: list[str]


# Accounts that posted within this long count as active for "most followed".
ACTIVE_DAYS = 30


def suggestions_for(viewer: User, limit: int = 40) -> list[Suggestion]:
    """Whom to follow: accounts followed by those the viewer follows (friends of friends),
    then the most-followed recently active accounts. Never the viewer, nor anyone it
    follows, asked to follow, blocks, is blocked by, mutes or dismissed."""
    candidates = (
        _discoverable()
        .exclude(pk=viewer.pk)
        .exclude(pk__in=Follow.objects.filter(follower=viewer).values("followee_id"))
        .exclude(pk__in=FollowRequest.objects.filter(requester=viewer).values("target_id"))
        .exclude(pk__in=Block.objects.filter(blocker=viewer).values("blocked_id"))
        .exclude(pk__in=Block.objects.filter(blocked=viewer).values("blocker_id"))
        .exclude(pk__in=active_mutes().filter(muter=viewer).values("muted_id"))
        .exclude(pk__in=DismissedSuggestion.objects.filter(user=viewer).values("account_id"))
    )
    my_follows = Follow.objects.filter(follower=viewer).values("followee_id")
    friends_of_friends = list(
        candidates.filter(follower_set__follower_id__in=my_follows)
        .annotate(n=Count("follower_set", distinct=True))
        .order_by("-n", "-id")[:limit]
    )
    since = timezone.now() - timedelta(days=ACTIVE_DAYS)
    recently_active = _public_posts().filter(created_at__gte=since).values("author_id")
    most_followed = list(
        candidates.filter(pk__in=recently_active)
        .annotate(n=Count("follower_set", distinct=True))
        .filter(n__gt=0)
        .order_by("-n", "-id")[:limit]
    )
    merged: dict[int, Suggestion] = {}
    for account in friends_of_friends:
        merged[account.pk] = Suggestion(account, ["friends_of_friends"])
    for account in most_followed:
        if account.pk in merged:
            merged[account.pk].sources.append("most_followed")
        else:
            merged[account.pk] = Suggestion(account, ["most_followed"])
    return list(merged.values())[:limit]


DIRECTORY_ORDERS = ("active", "new")


def directory(order: str, offset: int, limit: int) -> list[User]:
    """Accounts that opted into the directory: most recently posting first (``active``) or
    newest first (``new``)."""
    queryset = _discoverable()
    if order == "new":
        queryset = queryset.order_by("-created_at", "-id")
    else:
        last_post = _public_posts().filter(author_id=OuterRef("pk")).order_by("-created_at")
        queryset = queryset.annotate(
            last_post_at=last_post.values("created_at")[:1]
        ).order_by(F("last_post_at").desc(nulls_last=True), "-id")
    return list(queryset[offset : offset + limit])
