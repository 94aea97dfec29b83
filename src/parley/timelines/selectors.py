"""Home, public, hashtag and list timelines, read with SQL over indexed tables; a member's
markers and lists."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from parley.accounts.models import Follow, User
from parley.accounts.selectors import accounts_by_ids, active_mutes
from parley.core.errors import NotFound
from parley.posts.models import Post, PostQuerySet, PostState, Visibility
from parley.posts.selectors import distributed_posts, with_related
from parley.social.selectors import followed_tag_posts
from parley.timelines import feeds
from parley.timelines.models import ConversationMark, List, ListMember, Marker, RepliesPolicy

log = logging.getLogger(__name__)


def _not_muted(viewer: User | None) -> Q:
    if viewer is None or not viewer.is_authenticated:
        return Q()
    return ~Exists(active_mutes().filter(muter=viewer, muted_id=OuterRef("author_id")))


def home_timeline(viewer: User) -> QuerySet[Post]:
    """The viewer's own posts, those of accounts it follows, and public posts carrying a
    hashtag it follows. In scaled mode its pages
    come from the viewer's Redis feed (``HomeFeedQuerySet``), with the same results."""
    followed = Follow.objects.filter(follower=viewer).values("followee_id")
    own = Q(author=viewer) & Q(state__in=[PostState.PUBLISHED, PostState.HELD])
    # Members of the viewer's exclusive lists are read in those lists, not in home.
    exclusive = ListMember.objects.filter(list__owner=viewer, list__exclusive=True)
    followed_posts = Q(author_id__in=followed) & ~Q(author_id__in=exclusive.values("account_id"))
    tagged = followed_tag_posts(viewer)
    queryset = (
        distributed_posts(viewer).filter(own | followed_posts | tagged).filter(_not_muted(viewer))
    )
    queryset = with_related(queryset).paged_in_windows()
    if feeds.enabled():
        return HomeFeedQuerySet.over(queryset, viewer)
    return queryset


class HomeFeedQuerySet(PostQuerySet):
    """The home query, paged through the viewer's Redis feed (``paginate`` asks it first).

    The feed only proposes ids: a page is always this queryset (visibility, blocks, mutes,
    follows, held/removed/deleted posts, and any filter added to it) restricted to them, so
    an unfollow, a block, a mute or a removal takes effect at once. The viewer's own posts
    and those of authors the fan-out skips (too many followers), and posts with a followed
    hashtag, are read from the database and merged in. Where the feed cannot answer (capped
    below the page, Redis unreachable) the page is read from the database as in the
    embedded mode."""

    _feed_viewer: User | None = None

    @classmethod
    def over(cls, queryset: QuerySet[Post], viewer: User) -> HomeFeedQuerySet:
        clone = queryset._chain()
        clone.__class__ = cls
        clone._feed_viewer = viewer
        return clone

    def _clone(self) -> HomeFeedQuerySet:
        clone = super()._clone()
        clone._feed_viewer = self._feed_viewer
        return clone

    def feed_page(
        self, *, max_id: int | None, since_id: int | None, min_id: int | None, limit: int
    ) -> list[Post] | None:
        """A page as ``paginate`` pages the database, or None where the feed cannot say."""
        import redis  # only here: feeds are on only with Redis (the [redis] extra)

        try:
            return self._feed_page(max_id, since_id, min_id, limit)
        except redis.RedisError as error:
            log.warning("home feed unavailable (%s): reading the database", error)
            return None

    def _feed_page(
        self, max_id: int | None, since_id: int | None, min_id: int | None, limit: int
    ) -> list[Post] | None:
        from parley.timelines.services import rebuild_home_feed

        viewer = self._feed_viewer
        state = feeds.state(viewer.pk)
        if not state.ready:
            rebuild_home_feed(viewer)
            state = feeds.state(viewer.pk)
        newest_first = not min_id
        low = max(int(since_id or 0), int(min_id or 0))
        if not newest_first and not state.covers(low):
            return None
        high = int(max_id) if max_id else None
        window = self.filter(pk__gt=low)
        if high:
            window = window.filter(pk__lt=high)
        order = "-id" if newest_first else "id"
        # Not in the feed: the viewer's own posts, authors the fan-out skips, followed tags.
        merged = window.filter(
            Q(author_id__in={viewer.pk} | feeds.merged_authors()) | followed_tag_posts(viewer)
        ).prefetch_related(None).order_by(order)

        def merged_ids(bound: int | None) -> set[int]:
            """Merged posts that may reach the page: up to ``bound`` (a feed id), if given."""
            near = merged if bound is None else merged.filter(
                **{"pk__gte" if newest_first else "pk__lte": bound})
            return set(near.values_list("pk", flat=True)[:limit])

        def beyond(pk: int, mark: int) -> bool:  # ``pk`` is at or past ``mark`` on the page
            return pk >= mark if newest_first else pk <= mark

        feed_ids: set[int] = set()
        bound: int | None = None
        merged_found: set[int] | None = None
        count = limit * 2
        edge = high if newest_first else low  # where the next read of the feed starts
        while True:
            found = feeds.ids_between(
                viewer.pk, edge if not newest_first else low,
                edge if newest_first else high, newest_first=newest_first, count=count,
            )
            feed_ids.update(found)
            if merged_found is None:
                # Merged posts beyond the feed's limit-th id cannot reach a page the feed
                # fills: reading only up to it keeps this query from growing with the posts.
                bound = found[limit - 1] if len(found) >= limit else None
                merged_found = merged_ids(bound)
            page = list(window.filter(pk__in=feed_ids | merged_found).order_by(order)[:limit])
            full = len(page) >= limit
            if bound is not None and not (full and beyond(page[-1].pk, bound)):
                bound, merged_found = None, merged_ids(None)  # feed posts were filtered out
                page = list(window.filter(pk__in=feed_ids | merged_found).order_by(order)[:limit])
                full = len(page) >= limit
            if len(found) == count:  # the feed may hold more in the window
                edge = found[-1]
                # Full up to the feed ids read so far: no unread feed id can come before
                # the page's last post (a merged post may lie beyond them).
                if full and beyond(page[-1].pk, edge):
                    return page if newest_first else page[::-1]
                count *= 2
                continue
            if state.covers(low) or (full and page[-1].pk >= state.floor):
                return page if newest_first else page[::-1]
            return None  # the page reaches below what a capped feed holds


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


def markers_of(user: User, timelines: list[str]) -> dict[str, Marker]:
    """The user's markers of the named timelines (none named: none, as Mastodon answers)."""
    markers = Marker.objects.filter(user=user, timeline__in=timelines)
    return {m.timeline: m for m in markers}


def lists_of(owner: User) -> QuerySet[List]:
    return List.objects.filter(owner=owner).order_by("id")


def get_list(owner: User, list_id: int | str) -> List:
    """One of the owner's lists; anyone else's list is "Record not found"."""
    found = List.objects.filter(owner=owner, pk=int(list_id)).first()
    if found is None:
        raise NotFound("Record not found")
    return found


def _followed_ids(viewer: User) -> QuerySet:
    return Follow.objects.filter(follower=viewer).values("followee_id")


def _member_ids(a_list: List) -> QuerySet:
    """Members the owner still follows: unfollowing takes an account out of its lists."""
    return ListMember.objects.filter(
        list=a_list, account_id__in=_followed_ids(a_list.owner)
    ).values("account_id")


def list_memberships(a_list: List) -> QuerySet[ListMember]:
    """The list's entries of accounts the owner still follows, with their accounts."""
    return ListMember.objects.filter(
        list=a_list, account_id__in=_followed_ids(a_list.owner), account__is_active=True
    ).select_related("account")


def lists_containing(owner: User, account: User) -> QuerySet[List]:
    """The owner's lists the account is on (and still followed)."""
    if not Follow.objects.filter(follower=owner, followee=account).exists():
        return List.objects.none()
    return lists_of(owner).filter(members__account=account)


def _replies_shown(a_list: List, members: QuerySet) -> Q:
    """Posts that are not replies, replies to oneself, and the replies the policy allows."""
    shown = Q(in_reply_to__isnull=True) | Q(in_reply_to__author_id=F("author_id"))
    if a_list.replies_policy == RepliesPolicy.LIST:
        shown |= Q(in_reply_to__author_id__in=members)
    elif a_list.replies_policy == RepliesPolicy.FOLLOWED:
        shown |= Q(in_reply_to__author_id__in=_followed_ids(a_list.owner))
        shown |= Q(in_reply_to__author_id=a_list.owner_id)
    return shown


def list_timeline(a_list: List) -> QuerySet[Post]:
    """Posts and echoes of the list's members, as its owner may see them."""
    viewer = a_list.owner
    members = _member_ids(a_list)
    queryset = (
        distributed_posts(viewer)
        .filter(author_id__in=members)
        .filter(_replies_shown(a_list, members))
        .filter(_not_muted(viewer))
    )
    return with_related(queryset).paged_in_windows()


# -- conversations (direct messages) -------------------------------------------------------


@dataclass(frozen=True)
class Conversation:
    """A thread of direct posts as one member sees it (Mastodon's Conversation)."""

    id: int
    last_status: Post
    accounts: list[User]
    unread: bool


def _direct_posts_shown(viewer: User) -> QuerySet[Post]:
    """Direct posts the viewer may see (its own, and those that mention it), each with its
    ``thread``, less those of conversations it deleted."""
    hidden = ConversationMark.objects.filter(
        user=viewer, thread_id=OuterRef("thread"), hidden_up_to__gte=OuterRef("pk")
    )
    return (
        distributed_posts(viewer)
        .filter(visibility=Visibility.DIRECT)
        .annotate(thread=Coalesce("thread_root_id", "pk"))
        .exclude(Exists(hidden))
    )


def conversations_of(viewer: User) -> QuerySet:
    """Rows of (``thread``, ``last_id``): the viewer's conversations, newest message first.
    Page it on ``last_id`` (Mastodon pages conversations by their last status)."""
    return (
        _direct_posts_shown(viewer).values("thread").annotate(last_id=Max("pk"))
        .order_by("-last_id")
    )


def paginate_conversations(
    rows: QuerySet, *, max_id=None, since_id=None, min_id=None, limit: int = 20
) -> list[dict]:
    limit = max(1, min(int(limit or 20), 40))
    if max_id:
        rows = rows.filter(last_id__lt=int(max_id))
    if since_id:
        rows = rows.filter(last_id__gt=int(since_id))
    if min_id:
        return list(rows.filter(last_id__gt=int(min_id)).order_by("last_id")[:limit])[::-1]
    return list(rows[:limit])


def get_conversation_row(viewer: User, conversation_id: int) -> dict:
    row = conversations_of(viewer).filter(thread=conversation_id).first()
    if row is None:
        raise NotFound("Record not found")
    return row


def conversations_for_rows(viewer: User, rows: list[dict]) -> list[Conversation]:
    """The conversations of a page of rows: last statuses, participants (others than the
    viewer, who may be seen) and whether each is unread, in a fixed number of queries."""
    threads = [row["thread"] for row in rows]
    shown = _direct_posts_shown(viewer).filter(thread__in=threads)
    people: dict[int, set[int]] = {t: set() for t in threads}
    for thread, author_id in shown.values_list("thread", "author_id"):
        people[thread].add(author_id)
    mentioned = Post.mentions.through.objects.filter(
        post_id__in=shown.values("pk")
    ).annotate(thread=Coalesce("post__thread_root_id", "post_id"))
    for thread, user_id in mentioned.values_list("thread", "user_id"):
        people[thread].add(user_id)
    accounts = {u.pk: u for u in accounts_by_ids(sorted(set().union(*people.values())))}
    last = with_related(Post.objects.filter(pk__in=[row["last_id"] for row in rows])).in_bulk()
    read = dict(
        ConversationMark.objects.filter(user=viewer, thread_id__in=threads).values_list(
            "thread_id", "read_up_to"
        )
    )
    return [
        Conversation(
            id=row["thread"],
            last_status=last[row["last_id"]],
            accounts=[accounts[pk] for pk in sorted(people[row["thread"]] - {viewer.pk})
                      if pk in accounts],
            unread=last[row["last_id"]].author_id != viewer.pk
            and row["last_id"] > read.get(row["thread"], 0),
        )
        for row in rows
    ]


def conversation_posts(viewer: User, conversation_id: int) -> list[Post]:
    """The messages of one of the viewer's conversations, oldest first (what the web UI's
    conversation page shows): the same direct posts the conversation list is read from."""
    return list(
        with_related(_direct_posts_shown(viewer).filter(thread=conversation_id)).order_by("id")
    )
