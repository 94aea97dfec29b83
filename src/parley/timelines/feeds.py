"""Home feeds on Redis (scaled mode): each member's home timeline as a sorted set of post ids.

The sorted set is an index, never the record: posts, follows, blocks and mutes stay in the
database, every read filters the ids through the database's home query, and a feed that is
missing (new member, expired, Redis flushed or replaced) is rebuilt from the database.

Keys (on PARLEY_REDIS_URL):
- ``parley:home:<user id>``: post ids, score = id; at most PARLEY_HOME_FEED_SIZE of them.
- ``parley:home:<user id>:on``: "building" then "ready". Fan-out writes only to feeds that
  have it, so a fan-out never creates a partial feed that a read would take as whole.
- ``parley:home:merged``: authors the fan-out skipped (more than
  PARLEY_FANOUT_FOLLOWER_LIMIT followers); their posts are read from the database instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # redis is the [redis] extra's: the embedded mode runs without it
    import redis

log = logging.getLogger("parley.timelines")
MERGED_AUTHORS = "parley:home:merged"
FAN_OUT_BATCH = 500

# For each follower: add the post to the feed if the feed exists (it is ready or being
# built), then keep the newest ARGV[3] ids. ZADD of an id already there changes nothing, so
# a fan-out that runs twice leaves each feed as one run would.
_ADD_TO_FEEDS = """
local added = 0
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i + 1]) == 1 then
    redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])
    redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -tonumber(ARGV[3]) - 1)
    added = added + 1
  end
end
return added
"""


def enabled() -> bool:
    """Home feeds live on Redis when PARLEY_REDIS_URL is set (PARLEY_HOME_FEEDS=off: not)."""
    return bool(settings.PARLEY_REDIS_URL) and settings.PARLEY_HOME_FEEDS


@cache
def _client_for(url: str) -> redis.Redis:
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=1)


def client() -> redis.Redis:
    return _client_for(settings.PARLEY_REDIS_URL)


def feed_key(user_id: int) -> str:
    return f"parley:home:{user_id}"


def _state_key(user_id: int) -> str:
    return f"parley:home:{user_id}:on"


# -- writes --------------------------------------------------------------------------------


def add_to_feeds(post_id: int, follower_ids: list[int]) -> int:
    """Add a post to its followers' existing feeds; how many feeds took it."""
    script = client().register_script(_ADD_TO_FEEDS)
    added = 0
    for start in range(0, len(follower_ids), FAN_OUT_BATCH):
        keys: list[str] = []
        for user_id in follower_ids[start:start + FAN_OUT_BATCH]:
            keys += [feed_key(user_id), _state_key(user_id)]
        added += int(script(keys=keys, args=[post_id, post_id, settings.PARLEY_HOME_FEED_SIZE]))
    return added


def skip_author(author_id: int) -> None:
    """The author's posts are no longer fanned out: home reads merge them from the database."""
    client().sadd(MERGED_AUTHORS, author_id)


def start_building(user_id: int) -> None:
    """Open an empty feed for fan-outs to write to, before the database is read for it: a
    post distributed while it is built lands in it either way."""
    pipe = client().pipeline()
    pipe.set(_state_key(user_id), "building", ex=settings.PARLEY_HOME_FEED_TTL)
    pipe.delete(feed_key(user_id))
    pipe.execute()


def finish_building(user_id: int, post_ids: list[int]) -> None:
    pipe = client().pipeline()
    if post_ids:
        pipe.zadd(feed_key(user_id), {str(pk): pk for pk in post_ids})
        pipe.zremrangebyrank(feed_key(user_id), 0, -settings.PARLEY_HOME_FEED_SIZE - 1)
        pipe.expire(feed_key(user_id), settings.PARLEY_HOME_FEED_TTL)
    pipe.set(_state_key(user_id), "ready", ex=settings.PARLEY_HOME_FEED_TTL)
    pipe.execute()


def forget(user_id: int) -> None:
    """Drop a member's feed (it follows someone new): the next read rebuilds it."""
    import redis

    try:
        client().delete(feed_key(user_id), _state_key(user_id))
    except redis.RedisError as exc:
        # After the follow committed: it stays. The feed lacks the account's older posts
        # until it expires (a restarted Redis has lost it anyway).
        log.warning("home feed of %s not reset: Redis is unreachable (%s)", user_id, exc)


def forget_many(user_ids: list[int]) -> None:
    """Drop many members' feeds (posts reached them in bulk): each next read rebuilds."""
    pipe = client().pipeline(transaction=False)
    for start in range(0, len(user_ids), FAN_OUT_BATCH):
        pipe.delete(*[key for pk in user_ids[start:start + FAN_OUT_BATCH]
                      for key in (feed_key(pk), _state_key(pk))])
    pipe.execute()


# -- reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedState:
    ready: bool
    size: int
    # The lowest id held; below it a full (capped) feed knows nothing.
    floor: int

    def covers(self, low: int) -> bool:
        """Whether the feed holds every fanned-out id above ``low`` (exclusive)."""
        return self.size < settings.PARLEY_HOME_FEED_SIZE or low >= self.floor


def state(user_id: int) -> FeedState:
    pipe = client().pipeline()
    pipe.get(_state_key(user_id))
    pipe.zcard(feed_key(user_id))
    pipe.zrange(feed_key(user_id), 0, 0, withscores=True)
    # Reading keeps an active member's feed alive; inactive members' feeds expire.
    pipe.expire(feed_key(user_id), settings.PARLEY_HOME_FEED_TTL)
    pipe.expire(_state_key(user_id), settings.PARLEY_HOME_FEED_TTL)
    on, size, lowest, *_ = pipe.execute()
    return FeedState(on == b"ready", int(size), int(lowest[0][1]) if lowest else 0)


def ids_between(user_id: int, low: int, high: int | None, *, newest_first: bool,
                count: int) -> list[int]:
    """Up to ``count`` ids of the feed strictly between ``low`` and ``high`` (None: no top),
    from the top down or (``newest_first`` false) from the bottom up."""
    top = f"({high}" if high else "+inf"
    bottom = f"({low}"
    if newest_first:
        found = client().zrevrangebyscore(feed_key(user_id), top, bottom, start=0, num=count)
    else:
        found = client().zrangebyscore(feed_key(user_id), bottom, top, start=0, num=count)
    return [int(pk) for pk in found]


def merged_authors() -> set[int]:
    return {int(pk) for pk in client().smembers(MERGED_AUTHORS)}
