"""A held post is invisible to everyone but its author and moderators, on every read path.

Every read path of the API and the web UI is listed here once; a new path belongs here.
The streaming API (not a Django route: `parley streaming`) is tested with a real server in
tests/streaming/test_streaming.py: a held post never streams until it is released."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from parley.accounts import services as accounts
from parley.notifications.models import Notification
from parley.posts import services as posts
from parley.posts.models import PostState
from parley.posts.polls import PollSpec
from parley.social import services as social
from parley.timelines import services as timelines

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "zebracrossing"  # the hashtag and search word
BODY = "quokkaparade"  # appears only in the held post itself

# (name, who reads: anonymous|follower|mentioned, path template, kind: api|web)
READ_PATHS = [
    ("api status", "anonymous", "/api/v1/statuses/{post}", "api"),
    ("api status", "follower", "/api/v1/statuses/{post}", "api"),
    ("api statuses by id", "anonymous", "/api/v1/statuses?id[]={post}&id[]={parent}", "api"),
    ("api statuses by id", "follower", "/api/v1/statuses?id[]={post}&id[]={parent}", "api"),
    ("api context", "follower", "/api/v1/statuses/{parent}/context", "api"),
    ("api held post's context", "follower", "/api/v1/statuses/{post}/context", "api"),
    ("api source", "follower", "/api/v1/statuses/{post}/source", "api"),
    ("api history", "follower", "/api/v1/statuses/{post}/history", "api"),
    ("api favourited by", "follower", "/api/v1/statuses/{post}/favourited_by", "api"),
    ("api reblogged by", "anonymous", "/api/v1/statuses/{post}/reblogged_by", "api"),
    ("api poll", "anonymous", "/api/v1/polls/{poll}", "api"),
    ("api poll", "follower", "/api/v1/polls/{poll}", "api"),
    ("api account statuses", "anonymous", "/api/v1/accounts/{author}/statuses", "api"),
    ("api account statuses", "follower", "/api/v1/accounts/{author}/statuses", "api"),
    ("api pinned statuses", "anonymous", "/api/v1/accounts/{author}/statuses?pinned=true",
     "api"),
    ("api pinned statuses", "follower", "/api/v1/accounts/{author}/statuses?pinned=true",
     "api"),
    ("api home", "follower", "/api/v1/timelines/home", "api"),
    ("api home by a followed tag", "mentioned", "/api/v1/timelines/home", "api"),
    ("api tag", "anonymous", "/api/v1/tags/" + SECRET, "api"),
    ("api tag", "mentioned", "/api/v1/tags/" + SECRET, "api"),
    ("api followed tags", "mentioned", "/api/v1/followed_tags", "api"),
    ("api featured tags", "anonymous", "/api/v1/accounts/{author}/featured_tags", "api"),
    ("api public", "anonymous", "/api/v1/timelines/public", "api"),
    ("api public local", "follower", "/api/v1/timelines/public?local=true", "api"),
    ("api tag", "anonymous", "/api/v1/timelines/tag/" + SECRET, "api"),
    ("api search", "follower", "/api/v2/search?q=" + SECRET, "api"),
    ("api notifications", "mentioned", "/api/v1/notifications", "api"),
    ("api grouped notifications", "mentioned", "/api/v2/notifications", "api"),
    ("api notification group", "mentioned", "/api/v2/notifications/{mention_group}", "api"),
    ("api notification group accounts", "mentioned",
     "/api/v2/notifications/{mention_group}/accounts", "api"),
    ("api favourites", "follower", "/api/v1/favourites", "api"),
    ("api bookmarks", "follower", "/api/v1/bookmarks", "api"),
    ("api list timeline", "follower", "/api/v1/timelines/list/{list}", "api"),
    ("api conversations", "mentioned", "/api/v1/conversations", "api"),
    ("api quoting status", "anonymous", "/api/v1/statuses/{quote}", "api"),
    ("api quoting status", "follower", "/api/v1/statuses/{quote}", "api"),
    ("api quotes of the held post", "follower", "/api/v1/statuses/{post}/quotes", "api"),
    ("api trending statuses", "anonymous", "/api/v1/trends/statuses", "api"),
    ("api trending statuses", "follower", "/api/v1/trends/statuses", "api"),
    ("api trending tags", "anonymous", "/api/v1/trends/tags", "api"),
    ("api trending tags (old path)", "follower", "/api/v1/trends", "api"),
    ("web home", "follower", "/", "web"),
    ("web landing", "anonymous", "/", "web"),
    ("web public", "anonymous", "/public", "web"),
    ("web tag", "follower", "/tags/" + SECRET, "web"),
    ("web tag", "anonymous", "/tags/" + SECRET, "web"),
    ("web profile", "anonymous", "/@{author_name}", "web"),
    ("web profile", "follower", "/@{author_name}", "web"),
    ("web thread", "follower", "/@{author_name}/{post}", "web"),
    ("web thread", "anonymous", "/@{author_name}/{post}", "web"),
    ("web parent thread", "follower", "/@{author_name}/{parent}", "web"),
    ("web search", "follower", "/search?q=" + SECRET, "web"),
    ("web notifications", "mentioned", "/notifications", "web"),
    ("web conversations", "mentioned", "/conversations", "web"),
    ("web bookmarks", "follower", "/bookmarks", "web"),
    ("web home new posts", "follower", "/home/new?since_id=0&show=1", "web"),
    ("web list", "follower", "/lists/{list}", "web"),
    ("web held conversation", "mentioned", "/conversations/{dm}", "web"),
    ("web explore", "anonymous", "/explore", "web"),
    ("web explore", "follower", "/explore", "web"),
]


# Every other route, and why it cannot show another member's held post. Patterns are
# matched (re.fullmatch) against each route without its "^", "/?" and "$".
NOT_CONTENT_READS = {
    "writes only (they act on posts the caller may see)": [
        r"oauth/.*", r"api/v1/apps.*", r"api/v1/reports",
        r"api/v1/statuses/.*/(un)?(reblog|favourite|bookmark|pin)", r"api/v[12]/media",
        r"api/v1/polls/.*/votes", r"api/v1/announcements/.*",
        r"api/v1/statuses/.*/quotes/.*/revoke", r"api/v1/statuses/.*/interaction_policy",
        r"api/v1/accounts/.*/(un)?(follow|block|mute|pin)", r"api/v1/accounts/.*/note",
        r"api/v1/tags/.*/(un)?follow", r"api/v1/suggestions/.*",
        r"api/v1/follow_requests/.*/(authorize|reject)", r"follow_requests/@.*",
        r"api/v1/notifications/(clear|.*/dismiss)", r"api/v2/notifications/.*/dismiss",
        r"compose", r"posts/.*", r"login",
        r"logout", r"signup", r"@.*/(report|\(\?P<action>.*)",
        r"password/.*", r"confirm/.*",
        r"conversations/.*/remove", r"lists/<int:list_id>/(rename|delete|members)",
        r"polls/<int:poll_id>/vote", r"filters/<int:filter_id>/delete",
        r"tags/\(\?P<name>.*\)/\(\?P<action>(follow\|unfollow|feature\|unfeature)\)",
        r"announcements/<int:announcement_id>/dismiss",
    ],
    "conversation read/delete: answered through the selector of GET /api/v1/conversations "
    "(tests/api/test_conversations.py)": [r"api/v1/conversations/.*"],
    "moderators and admins only (moderators may see held posts)": [
        r"api/v1/admin/.*", r"api/parley/v1/(cases|appeals|policy|notifiers|reports).*",
        r"moderation/.*",
    ],
    "the caller's own data": [
        r"api/parley/v1/(statements|notices).*", r"statements.*", r"settings/.*",
        r"api/v1/accounts/(verify|update)_credentials",
        r"api/v1/(blocks|mutes|markers|preferences)", r"api/v1/lists(/.*)?",
        r"follow_requests", r"lists", r"filters", r"followed_tags",
        r"api/v1/accounts/.*/lists",
        r"api/v1/media/.*", r"api/v1/notifications/\(.*", r"notice/.*",
        r"api/v[12]/filters(/.*)?", r"api/v1/scheduled_statuses(/.*)?",
        r"api/v1/(endorsements|domain_blocks)",
        r"api/v1/featured_tags(/.*)?",  # suggestions: tags of the caller's own posts
    ],
    "uploaded files, each checked against its post (tests/posts/test_media_serving.py)": [
        r"media/<path:name>",
    ],
    "no post content (accounts, instance, documents, aggregate counts, stubs)": [
        r"\\\.well-known/.*", r"api/(openapi\.json|docs)", r"api/v[12]/instance.*",
        r"api/v[12]/(custom_emojis|follow_requests)",
        r"api/v[12]/notifications/unread_count",
        r"api/v1/accounts", r"api/v1/accounts/(relationships|lookup|search)",
        r"api/v1/trends/links", r"api/v1/announcements",
        r"api/v1/accounts/\(\?P<account_id>(\\d|\[0-9\])\+\)(/(followers|following))?",
        r"transparency.*", r"notice", r"health", r"bench/one-insert",
        r"api/v1/accounts/familiar_followers", r"api/v[12]/suggestions", r"api/v1/directory",
        r"api/v1/accounts/\(\?P<account_id>\[0-9\]\+\)/endorsements",
    ],
}


def _bare(route: str) -> str:
    return route.removeprefix("^").removesuffix("$").removesuffix("/?")


@pytest.fixture
def held_world(make_member, api_for):
    author, follower, mentioned = make_member("author"), make_member("fan"), make_member("tagged")
    accounts.follow(follower, author)
    parent = posts.create_post(author, "an innocent parent post")
    post = posts.create_post(author, f"#{SECRET} hello @tagged {BODY}", in_reply_to=parent,
                             poll=PollSpec([f"{BODY} yes", "no"], expires_in=3600))
    posts.favourite(follower, post)
    posts.bookmark(follower, post)
    posts.pin_post(author, post)
    mention = Notification.objects.filter(recipient=mentioned, post=post).first()
    quote = posts.create_post(follower, "quoting this", quote_of=post)
    posts.transition_post(post, PostState.HELD)
    # A direct message to the mentioned member, held too: conversations must not show it.
    dm = posts.create_post(author, f"@tagged {BODY} between us", visibility="direct")
    posts.transition_post(dm, PostState.HELD)
    # The mentioned member follows the post's hashtag; the author features it.
    social.follow_tag(mentioned, SECRET)
    social.feature_tag(author, SECRET)
    fans = timelines.create_list(follower, "authors I read")
    timelines.add_to_list(fans, [author.pk])
    return {
        "mention_group": f"ungrouped-{mention.pk if mention else 0}",
        "list": fans,
        "author": author,
        "follower": follower,
        "mentioned": mentioned,
        "post": post,
        "quote": quote,
        "dm": dm,
        "parent": parent,
        "api_for": api_for,
    }


def _client(world, who, kind):
    if who == "anonymous":
        return APIClient() if kind == "api" else Client()
    user = world[who]
    if kind == "api":
        return world["api_for"](user)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("name", "who", "path", "kind"), READ_PATHS, ids=[f"{n}-{w}" for n, w, _, _ in READ_PATHS]
)
def test_held_post_is_invisible(held_world, name, who, path, kind):
    url = path.format(
        post=held_world["post"].pk,
        parent=held_world["parent"].pk,
        author=held_world["author"].pk,
        author_name=held_world["author"].username,
        list=held_world["list"].pk,
        poll=held_world["post"].poll.pk,
        dm=held_world["dm"].pk,
        mention_group=held_world["mention_group"],
        quote=held_world["quote"].pk,
    )
    response = _client(held_world, who, kind).get(url)
    assert response.status_code in (200, 404)
    body = response.content.decode()
    assert BODY not in body
    # A status entity, not any record that happens to share the number (an account's id).
    author_name, pk = held_world["author"].username, held_world["post"].pk
    assert f'"id":"{pk}","uri"' not in body.replace(" ", "")
    assert f'/@{author_name}/{pk}"' not in body
    assert f'id="post-{held_world["post"].pk}"' not in body


def test_author_still_sees_the_held_post_marked_pending(held_world):
    api = held_world["api_for"](held_world["author"])
    data = api.get(f"/api/v1/statuses/{held_world['post'].pk}").json()
    assert data["parley"]["pending_review"] is True
    web = Client()
    web.force_login(held_world["author"])
    page = web.get(f"/@{held_world['author'].username}").content.decode()
    assert BODY in page and "Pending review" in page


def test_moderators_are_members_on_the_member_api(held_world, moderator):
    # Moderators open held posts through their case (safety API / console), audited.
    api = held_world["api_for"](moderator)
    assert api.get(f"/api/v1/statuses/{held_world['post'].pk}").status_code == 404


def test_control_the_same_paths_show_a_published_post(held_world):
    posts.transition_post(held_world["post"], PostState.PUBLISHED)
    response = _client(held_world, "anonymous", "api").get(f"/api/v1/timelines/tag/{SECRET}")
    assert BODY in response.content.decode()


def test_control_the_released_post_shows_its_poll(held_world):
    posts.transition_post(held_world["post"], PostState.PUBLISHED)
    response = _client(held_world, "follower", "api").get(
        f"/api/v1/polls/{held_world['post'].poll.pk}")
    assert response.status_code == 200
    assert BODY in response.content.decode()


def test_control_bookmarks_and_the_list_timeline_show_the_released_post(held_world):
    posts.transition_post(held_world["post"], PostState.PUBLISHED)
    fan = _client(held_world, "follower", "api")
    for path in ("/api/v1/bookmarks", f"/api/v1/timelines/list/{held_world['list'].pk}"):
        assert BODY in fan.get(path).content.decode(), path
    web = _client(held_world, "follower", "web")
    assert BODY in web.get("/bookmarks").content.decode()
    assert BODY in web.get("/home/new?since_id=0&show=1").content.decode()
    assert BODY in web.get(f"/lists/{held_world['list'].pk}").content.decode()


def test_control_the_released_post_shows_pinned_again(held_world):
    posts.transition_post(held_world["post"], PostState.PUBLISHED)
    path = f"/api/v1/accounts/{held_world['author'].pk}/statuses?pinned=true"
    assert BODY in _client(held_world, "anonymous", "api").get(path).content.decode()


def test_control_conversations_show_the_released_direct_message(held_world):
    posts.transition_post(held_world["dm"], PostState.PUBLISHED)
    reader = _client(held_world, "mentioned", "api")
    assert BODY in reader.get("/api/v1/conversations").content.decode()
    web = _client(held_world, "mentioned", "web")
    assert BODY in web.get("/conversations").content.decode()
    assert BODY in web.get(f"/conversations/{held_world['dm'].pk}").content.decode()


def test_control_the_quote_shows_the_released_post(held_world):
    path = f"/api/v1/statuses/{held_world['quote'].pk}"
    held = _client(held_world, "anonymous", "api").get(path).json()
    assert held["quote"] == {"state": "unauthorized", "quoted_status": None}
    posts.transition_post(held_world["post"], PostState.PUBLISHED)
    assert BODY in _client(held_world, "anonymous", "api").get(path).content.decode()


def test_a_held_post_counts_for_no_trend_until_released(held_world):
    # Another account uses the tag: with the held post it would make two, and trend.
    posts.create_post(held_world["follower"], f"me too #{SECRET}")
    anonymous = _client(held_world, "anonymous", "api")
    assert SECRET not in anonymous.get("/api/v1/trends/tags").content.decode()
    posts.transition_post(held_world["post"], PostState.PUBLISHED)
    assert SECRET in anonymous.get("/api/v1/trends/tags").content.decode()
    # Liked by the follower, the released post trends.
    assert BODY in anonymous.get("/api/v1/trends/statuses").content.decode()
    explore = _client(held_world, "anonymous", "web").get("/explore").content.decode()
    assert SECRET in explore and BODY in explore


def test_a_held_post_counts_in_no_tag_history_or_featured_tag(held_world):
    anyone = _client(held_world, "anonymous", "api")
    tag = anyone.get(f"/api/v1/tags/{SECRET}").json()
    featured = anyone.get(f"/api/v1/accounts/{held_world['author'].pk}/featured_tags").json()
    assert tag["history"][0]["uses"] == "0"
    assert (featured[0]["statuses_count"], featured[0]["last_status_at"]) == (0, None)
    posts.transition_post(held_world["post"], PostState.PUBLISHED)
    assert anyone.get(f"/api/v1/tags/{SECRET}").json()["history"][0]["uses"] == "1"
    featured = anyone.get(f"/api/v1/accounts/{held_world['author'].pk}/featured_tags").json()
    assert featured[0]["statuses_count"] == 1


def test_control_the_released_post_comes_home_by_its_followed_tag(held_world):
    posts.transition_post(held_world["post"], PostState.PUBLISHED)
    reader = _client(held_world, "mentioned", "api")
    assert BODY in reader.get("/api/v1/timelines/home").content.decode()


def _routes(patterns, prefix=""):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_every_route_is_a_listed_read_path_or_cannot_show_held_posts():
    """A new route fails here until it is added to READ_PATHS or to NOT_CONTENT_READS."""
    import re

    from django.urls import get_resolver, resolve

    listed = {resolve(path.split("?")[0].format(post=1, parent=1, author=1, author_name="a",
                                                      list=1, poll=1, dm=1, quote=1,
                                                      mention_group="ungrouped-1")).route
              for _, _, path, _ in READ_PATHS}
    exempt = [re.compile(rx) for rxs in NOT_CONTENT_READS.values() for rx in rxs]
    unaccounted = [route for route in _routes(get_resolver().url_patterns)
                   if route not in listed
                   and not any(rx.fullmatch(_bare(route)) for rx in exempt)]
    assert unaccounted == []
