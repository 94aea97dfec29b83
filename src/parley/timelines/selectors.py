"""Home, public and hashtag timelines, read with SQL over indexed tables."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from parley.accounts.models import Follow, Mute, User
from parley.posts.models import Post, PostState, Visibility
from parley.posts.selectors import distributed_posts, with_related


def _not_muted(viewer: User | None) -> Q:
    if viewer is None or not viewer.is_authenticated:
        return Q()
    return ~Exists(Mute.objects.filter(muter=viewer, muted_id=OuterRef("author_id")))


def home_timeline(viewer: User) -> QuerySet[Post]:
    """The viewer's own posts and those of accounts it follows."""
    followed = Follow.objects.filter(follower=viewer).values("followee_id")
    own = Q(author=viewer) & Q(state__in=[PostState.PUBLISHED, PostState.HELD])
    followed_posts = Q(author_id__in=followed)
    queryset = distributed_posts(viewer).filter(own | followed_posts).filter(_not_muted(viewer))
    return with_related(queryset)


def public_timeline(
    viewer: User | None, *, local: bool = False, only_media: bool = False
) -> QuerySet[Post]:
    """Public posts of everyone (this instance has only local accounts)."""
    queryset = (
        distributed_posts(viewer)
        .filter(
            visibility=Visibility.PUBLIC,
            reblog_of__isnull=True,
            limited=False,
            state=PostState.PUBLISHED,
        )
        .filter(_not_muted(viewer))
    )
    if only_media:
        queryset = queryset.filter(media__isnull=False).distinct()
    return with_related(queryset)


def tag_timeline(tag: str, viewer: User | None) -> QuerySet[Post]:
    return with_related(
        distributed_posts(viewer)
        .filter(
            tags__name=tag.lower(),
            visibility=Visibility.PUBLIC,
            reblog_of__isnull=True,
            limited=False,
            state=PostState.PUBLISHED,
        )
        .filter(_not_muted(viewer))
    )
