"""The authorization matrix: every GET endpoint of the API against tokens of different scopes,
an app-only (client_credentials) token and no token. A token used on a read must carry
``read`` or the matching ``read:*`` (403 otherwise, as Mastodon answers); endpoints readable
anonymously are never read as the token's user with an insufficient token. The expectations
are written out here, from Mastodon's controllers, not read back from the views."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from oauth2_provider.models import get_access_token_model
from PIL import Image
from rest_framework.test import APIClient

from parley.api import urls as api_urls
from parley.api.oauth import scope_satisfied
from parley.filters import services as filter_services
from parley.filters.services import KeywordChange
from parley.notifications import services as notification_services
from parley.posts import scheduled
from parley.posts import services as post_services
from parley.posts.polls import PollSpec
from parley.safety.cases import services as case_services
from parley.timelines import services as timeline_services

pytestmark = pytest.mark.django_db
SECRET = "the spare key is under the blue flowerpot"


@dataclass(frozen=True)
class Rule:
    """What a GET endpoint needs. kind: public (nothing), optional (anonymous, or a token
    with one of ``scopes``), required (a member's token with one of ``scopes``), member (a
    member's token of any scope), app (any valid token), notifier (notifier tokens only)."""

    kind: str
    scopes: tuple[str, ...] = ()


PUBLIC = Rule("public")


def optional(*scopes: str) -> Rule:
    return Rule("optional", scopes)


def required(*scopes: str) -> Rule:
    return Rule("required", scopes)


MATRIX: dict[str, Rule] = {
    "api/openapi.json": PUBLIC,
    "api/docs": PUBLIC,
    "api/v1/apps/verify_credentials": Rule("app"),
    "api/v1/instance": PUBLIC,
    "api/v2/instance": PUBLIC,
    "api/v1/instance/rules": PUBLIC,
    "api/v1/custom_emojis": PUBLIC,
    "api/v1/filters": required("read:filters"),
    "api/v1/filters/:keyword_id": required("read:filters"),
    "api/v2/filters": required("read:filters"),
    "api/v2/filters/:filter_id": required("read:filters"),
    "api/v2/filters/:filter_id/keywords": required("read:filters"),
    "api/v2/filters/keywords/:keyword_id": required("read:filters"),
    "api/v2/filters/:filter_id/statuses": required("read:filters"),
    "api/v2/filters/statuses/:filter_status_id": required("read:filters"),
    "api/v1/lists": required("read:lists"),
    "api/v1/lists/:list_id": required("read:lists"),
    "api/v1/lists/:list_id/accounts": required("read:lists"),
    "api/v1/timelines/list/:list_id": required("read:lists"),
    "api/v1/accounts/:account_id/lists": required("read:lists"),
    "api/v1/preferences": required("read:accounts"),
    "api/v1/bookmarks": required("read:bookmarks"),
    "api/v1/follow_requests": required("read:follows", "follow"),
    "api/v1/markers": required("read:statuses"),
    "api/v2/search": optional("read:search"),
    "api/v1/accounts": optional("read:accounts"),
    "api/v1/statuses": optional("read:statuses"),
    "api/v1/accounts/verify_credentials": required("read:accounts", "profile"),
    "api/v1/accounts/relationships": required("read:follows"),
    "api/v1/accounts/lookup": optional("read:accounts"),
    "api/v1/accounts/search": required("read:accounts"),
    "api/v1/accounts/:account_id": optional("read:accounts"),
    "api/v1/accounts/:account_id/statuses": optional("read:statuses"),
    "api/v1/accounts/:account_id/followers": optional("read:accounts"),
    "api/v1/accounts/:account_id/following": optional("read:accounts"),
    "api/v1/blocks": required("read:blocks", "follow"),
    "api/v1/domain_blocks": required("read:blocks", "follow"),
    "api/v1/accounts/familiar_followers": required("read:follows"),
    "api/v1/accounts/:account_id/featured_tags": optional("read:accounts"),
    "api/v1/accounts/:account_id/endorsements": optional("read:accounts"),
    "api/v1/endorsements": required("read:accounts"),
    "api/v1/tags/:name": PUBLIC,
    "api/v1/followed_tags": required("read:follows", "follow"),
    "api/v1/featured_tags": required("read:accounts"),
    "api/v1/featured_tags/suggestions": required("read:accounts"),
    "api/v1/suggestions": required("read:accounts"),
    "api/v2/suggestions": required("read:accounts"),
    "api/v1/directory": optional("read:accounts"),
    "api/v1/mutes": required("read:mutes", "follow"),
    "api/v1/statuses/:status_id": optional("read:statuses"),
    "api/v1/statuses/:status_id/context": optional("read:statuses"),
    "api/v1/statuses/:status_id/source": required("read:statuses"),
    "api/v1/statuses/:status_id/history": optional("read:statuses"),
    "api/v1/statuses/:status_id/favourited_by": optional("read:accounts"),
    "api/v1/statuses/:status_id/reblogged_by": optional("read:accounts"),
    "api/v1/polls/:poll_id": optional("read:statuses"),
    "api/v1/media/:media_id": required("write:media"),
    "api/v1/timelines/home": required("read:statuses"),
    "api/v1/timelines/public": optional("read:statuses"),
    "api/v1/timelines/tag/:tag": optional("read:statuses"),
    "api/v1/favourites": required("read:favourites"),
    "api/v1/notifications": required("read:notifications"),
    "api/v1/conversations": required("read:statuses"),
    "api/v2/notifications": required("read:notifications"),
    "api/v1/notifications/unread_count": required("read:notifications"),
    "api/v2/notifications/unread_count": required("read:notifications"),
    "api/v2/notifications/:group_key": required("read:notifications"),
    "api/v2/notifications/:group_key/accounts": required("read:notifications"),
    "api/v1/notifications/:notification_id": required("read:notifications"),
    "api/v1/admin/reports": required("admin:read:reports"),
    "api/v1/admin/reports/:report_id": required("admin:read:reports"),
    "api/v1/admin/accounts/:account_id": required("admin:read:accounts"),
    "api/parley/v1/notices": Rule("notifier"),
    "api/parley/v1/notices/:receipt": Rule("notifier"),
    "api/parley/v1/cases": required("admin:read"),
    "api/parley/v1/cases/:case_id": required("admin:read"),
    "api/parley/v1/cases/:case_id/actions": required("admin:read"),
    "api/parley/v1/appeals": required("admin:read"),
    "api/parley/v1/policy": required("admin:read"),
    "api/parley/v1/notifiers": required("admin:read"),
    "api/parley/v1/statements": required("read"),
    "api/parley/v1/statements/:statement_id": required("read"),
    "api/v1/scheduled_statuses": required("read:statuses"),
    "api/v1/trends": PUBLIC,
    "api/v1/trends/tags": PUBLIC,
    "api/v1/trends/links": PUBLIC,
    "api/v1/trends/statuses": optional("read:statuses"),
    "api/v1/announcements": Rule("member"),
    "api/v1/statuses/:status_id/quotes": required("read:statuses"),
    "api/v1/scheduled_statuses/:scheduled_id": required("read:statuses"),
}
QUERIES = {
    "api/v2/search": "?q=flowerpot",
    "api/v1/accounts/lookup": "?acct=bob",
    "api/v1/accounts/search": "?q=ali",
    "api/v1/accounts": "?id[]=:account_id",
    "api/v1/statuses": "?id[]=:status_id",
    "api/v1/accounts/familiar_followers": "?id[]=:account_id",
}
TOKENS = ["profile", "write:media", "read", "read:statuses"]
# Only endpoints behind these scopes may show posts (bob's DM among them).
POST_SCOPES = {"read:statuses", "read:search", "read:notifications", "read:favourites"}


def get_routes() -> list[str]:
    """Every GET route of the API, as ``api/v1/statuses/:status_id``."""
    routes = []
    for pattern in api_urls.urlpatterns:
        view = getattr(pattern.callback, "view_class", None)
        regex = pattern.pattern.regex.pattern
        if view is None or not hasattr(view, "get") or not regex.startswith("^api/"):
            continue
        template = re.sub(r"\(\?P<(\w+)>[^)]*\)", r":\1", regex)
        routes.append(template.removeprefix("^").removesuffix("/?$").replace("\\", ""))
    return routes


def test_every_get_endpoint_is_in_the_matrix():
    assert sorted(get_routes()) == sorted(MATRIX)


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buffer, "PNG")
    return SimpleUploadedFile("dot.png", buffer.getvalue(), "image/png")


@pytest.fixture
def world(make_member, moderator):
    """bob (the token's owner) with a DM to alice, a tagged public post, media, a
    notification, and a decided report about him that he appealed."""
    alice, bob = make_member("alice"), make_member("bob")
    dm = post_services.create_post(bob, f"@alice {SECRET}", visibility="direct",
                                   poll=PollSpec([SECRET, "no"], expires_in=3600))
    public = post_services.create_post(bob, "Morning walk #parley")
    media = post_services.attach_media(bob, _png())
    notification = notification_services.notify(recipient=bob, actor=alice,
                                                kind="favourite", post=public)
    notice = case_services.file_member_report(alice, bob, [public], "violation")
    action = case_services.take_action(notice.case, moderator, "content_warning",
                                       reason="Graphic", content_warning="Graphic")
    statement = action.statement
    appeal = case_services.file_appeal(statement, bob, "It is a walk")
    reading = timeline_services.create_list(bob, "reading")
    muted = filter_services.create_filter(
        bob, title="walks", context=["home"], keywords=[KeywordChange(keyword="walk")])
    filtered_status = filter_services.add_filter_status(muted, public.pk)
    later = scheduled.schedule_post(bob, timezone.now() + timedelta(days=1), "a later walk")
    ids = {
        "status_id": dm.pk, "account_id": bob.pk, "media_id": media.pk, "tag": "parley",
        "notification_id": notification.pk, "report_id": notice.pk,
        "case_id": notice.case_id, "statement_id": statement.pk, "appeal_id": appeal.pk,
        "receipt": notice.receipt, "list_id": reading.pk, "filter_id": muted.pk,
        "keyword_id": muted.keywords.get().pk, "filter_status_id": filtered_status.pk,
        "poll_id": dm.poll.pk, "group_key": notification.group_key,
        "scheduled_id": later.pk,
        "name": "parley",
    }
    return {"bob": bob, "ids": ids}


def path_of(route: str, ids: dict) -> str:
    filled = re.sub(r":(\w+)", lambda m: str(ids[m.group(1)]), route + QUERIES.get(route, ""))
    return f"/{filled}"


def client_for(user, scope: str | None, app) -> APIClient:
    client = APIClient()
    if scope is None:
        return client
    name = f"tok-{scope.replace(' ', '-')}-{user.pk if user else 'app'}"
    token = get_access_token_model().objects.create(
        user=user, application=app, token=name, expires=timezone.now() + timedelta(days=1),
        scope=scope)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return client


def expected_for_member_token(rule: Rule, scope: str) -> int:
    granted = set(scope.split())
    if rule.kind in ("public", "app", "member"):
        return 200
    if rule.kind == "notifier":
        return 401
    if not any(scope_satisfied(granted, s) for s in rule.scopes):
        return 403
    return 200


def read_anonymously(route: str) -> int:
    """Read as nobody, the routes of bob's DM (and its poll) find nothing; the rest answer."""
    return 404 if ":status_id" in route or ":poll_id" in route else 200


def expected_without_token(route: str, rule: Rule) -> int:
    if rule.kind == "optional":
        return read_anonymously(route)
    return 200 if rule.kind == "public" else 401


def expected_for_app_token(route: str, rule: Rule, scope: str) -> int:
    """A client_credentials token: valid, of no user (Mastodon: 422 where a user is needed)."""
    if rule.kind in ("public", "app"):
        return 200
    if rule.kind == "member":
        return 422
    if rule.kind == "notifier":
        return 401
    if not any(scope_satisfied(set(scope.split()), s) for s in rule.scopes):
        return 403
    return read_anonymously(route) if rule.kind == "optional" else 422


@pytest.mark.parametrize("scope", TOKENS)
def test_member_tokens_reach_only_what_their_scopes_allow(world, oauth_app, scope):
    client = client_for(world["bob"], scope, oauth_app)
    for route, rule in MATRIX.items():
        response = client.get(path_of(route, world["ids"]))
        body = response.content.decode()
        assert response.status_code == expected_for_member_token(rule, scope), (route, body)
        if response.status_code != 200:
            assert body.startswith('{"error":'), route
        if response.status_code != 200 or not set(rule.scopes) & POST_SCOPES:
            assert SECRET not in body, (route, scope)


def test_no_token_reads_only_public_endpoints_and_never_the_dm(world):
    client = APIClient()
    for route, rule in MATRIX.items():
        response = client.get(path_of(route, world["ids"]))
        assert response.status_code == expected_without_token(route, rule), route
        assert SECRET not in response.content.decode(), route


@pytest.mark.parametrize("scope", ["read", "read write follow push"])
def test_an_app_only_token_is_answered_not_crashed(world, oauth_app, scope):
    client = client_for(None, scope, oauth_app)
    for route, rule in MATRIX.items():
        response = client.get(path_of(route, world["ids"]))
        assert response.status_code == expected_for_app_token(route, rule, scope), (
            route, response.content[:200])
        assert SECRET not in response.content.decode(), route
        if response.status_code == 422:
            assert response.json() == {"error": "This method requires an authenticated user"}


def test_a_profile_token_reaches_verify_credentials_and_nothing_personal(world, oauth_app):
    client = client_for(world["bob"], "profile", oauth_app)
    assert client.get("/api/v1/accounts/verify_credentials").json()["username"] == "bob"
    refused = client.get(f"/api/v1/statuses/{world['ids']['status_id']}")
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}


def test_head_needs_what_get_needs(world, oauth_app):
    client = client_for(world["bob"], "write:media", oauth_app)
    assert client.head("/api/v1/timelines/home").status_code == 403
    assert APIClient().head("/api/v1/timelines/home").status_code == 401


@pytest.mark.parametrize(("scope", "expected"), [
    ("write", 200), ("write:follows", 200), ("follow", 200), ("write:blocks", 403),
    ("read", 403),
])
def test_following_takes_write_follows_write_or_the_legacy_follow_scope(
        make_member, oauth_app, scope, expected):
    alice, bob = make_member("alice"), make_member("bob")
    response = client_for(bob, scope, oauth_app).post(f"/api/v1/accounts/{alice.pk}/follow")
    assert response.status_code == expected
    assert response.status_code != 200 or response.json()["following"] is True
