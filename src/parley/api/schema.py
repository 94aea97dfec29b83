"""The OpenAPI document: drf-spectacular finds the routes, and one table here says what each
Mastodon operation takes and returns; a postprocessing hook adds it with the errors every
operation can answer (401/403 by scope, 404, 413, 422, 429), so views stay undecorated."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from parley.api.base import AnonymousOr, Needed, needed_for

# -- schemas --------------------------------------------------------------------------------

STR = {"type": "string"}
NSTR = {"type": "string", "nullable": True}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
ID = {"type": "string", "pattern": "^[0-9]+$", "description": "a numeric id, as a string"}
IDS = {"type": "array", "items": ID}
OBJECT = {"type": "object"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array_of(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


def entity(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """An object with these required properties; others may be present."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **optional},
    }


COMPONENTS: dict[str, dict[str, Any]] = {
    "Error": entity({"error": STR}, error_description=STR),
    "Account": entity(
        {"id": ID, "username": STR, "acct": STR, "display_name": STR, "locked": BOOL,
         "bot": BOOL, "created_at": STR, "note": STR, "url": STR, "avatar": STR,
         "followers_count": INT, "following_count": INT, "statuses_count": INT},
        source=OBJECT, last_status_at=NSTR,
    ),
    "MediaAttachment": entity(
        {"id": ID, "type": STR, "url": NSTR}, description=NSTR, preview_url=NSTR
    ),
    "Status": entity(
        {"id": ID, "created_at": STR, "account": ref("Account"), "content": STR,
         "visibility": {"type": "string",
                        "enum": ["public", "unlisted", "private", "direct"]},
         "sensitive": BOOL, "spoiler_text": STR,
         "media_attachments": array_of("MediaAttachment"), "mentions": {"type": "array"},
         "tags": {"type": "array"}, "reblogs_count": INT, "favourites_count": INT,
         "replies_count": INT},
        in_reply_to_id=NSTR, edited_at=NSTR, text=NSTR,
        reblog={"type": "object", "nullable": True},
        poll={**ref("Poll"), "nullable": True},
    ),
    "Poll": entity(
        {"id": ID, "expires_at": NSTR, "expired": BOOL, "multiple": BOOL, "votes_count": INT,
         "voters_count": {"type": "integer", "nullable": True},
         "options": {"type": "array", "items": entity(
             {"title": STR, "votes_count": {"type": "integer", "nullable": True}})},
         "emojis": {"type": "array"}},
        voted=BOOL, own_votes={"type": "array", "items": INT},
    ),
    "StatusSource": entity({"id": ID, "text": STR, "spoiler_text": STR}),
    "StatusEdit": entity({"content": STR, "created_at": STR, "account": ref("Account")}),
    "FilterKeyword": entity({"id": ID, "keyword": STR, "whole_word": BOOL}),
    "FilterStatus": entity({"id": ID, "status_id": ID}),
    "Filter": entity(
        {"id": ID, "title": STR, "context": {"type": "array", "items": STR},
         "filter_action": {"type": "string", "enum": ["warn", "hide", "blur"]},
         "expires_at": NSTR},
        keywords=array_of("FilterKeyword"), statuses=array_of("FilterStatus")),
    "FilterV1": entity(
        {"id": ID, "phrase": STR, "context": {"type": "array", "items": STR},
         "whole_word": BOOL, "irreversible": BOOL, "expires_at": NSTR}),
    "Context": entity({"ancestors": array_of("Status"), "descendants": array_of("Status")}),
    "Relationship": entity(
        {"id": ID, "following": BOOL, "followed_by": BOOL, "blocking": BOOL, "muting": BOOL,
         "requested": BOOL, "requested_by": BOOL},
        muting_notifications=BOOL, endorsed=BOOL, note=STR,
    ),
    "Tag": entity(
        {"name": STR, "url": STR, "history": {"type": "array", "items": entity(
            {"day": STR, "uses": STR, "accounts": STR})}},
        id=NSTR, following=BOOL, featuring=BOOL),
    "FeaturedTag": entity(
        {"id": ID, "name": STR, "url": STR, "statuses_count": INT, "last_status_at": NSTR}),
    "Suggestion": entity(
        {"source": STR, "sources": {"type": "array", "items": STR},
         "account": ref("Account")}),
    "FamiliarFollowers": entity({"id": ID, "accounts": array_of("Account")}),
    "Conversation": entity(
        {"id": ID, "unread": BOOL, "accounts": array_of("Account"),
         "last_status": ref("Status")}),
    "NotificationGroup": entity(
        {"group_key": STR, "notifications_count": INT, "type": STR,
         "most_recent_notification_id": ID, "sample_account_ids": IDS},
        page_min_id=ID, page_max_id=ID, latest_page_notification_at=STR, status_id=NSTR),
    "GroupedNotifications": entity(
        {"accounts": array_of("Account"), "statuses": array_of("Status"),
         "notification_groups": array_of("NotificationGroup")}),
    "UnreadCount": entity({"count": INT}),
    "Notification": entity({"id": ID, "type": STR, "created_at": STR, "account": ref("Account")}),
    "Application": entity(
        {"name": STR}, website=NSTR, client_id=STR, client_secret=STR,
        scopes={"type": "array", "items": STR}
    ),
    "Token": entity({"access_token": STR, "token_type": STR, "scope": STR, "created_at": INT}),
    "Rule": entity({"id": ID, "text": STR}),
    "InstanceV1": entity({"uri": STR, "title": STR, "version": STR, "configuration": OBJECT}),
    "InstanceV2": entity({"domain": STR, "title": STR, "version": STR, "configuration": OBJECT}),
    "Search": entity(
        {"accounts": array_of("Account"), "statuses": array_of("Status"),
         "hashtags": {"type": "array"}}
    ),
    "Report": entity({"id": ID, "category": STR, "target_account": ref("Account")}),
    "List": entity({"id": ID, "title": STR, "replies_policy": STR, "exclusive": BOOL}),
    "Marker": entity({"last_read_id": ID, "version": INT, "updated_at": STR}),
    "Markers": {"type": "object", "properties": {"home": ref("Marker"),
                                                  "notifications": ref("Marker")}},
    "UserInfo": entity({"iss": STR, "sub": STR, "name": STR, "preferred_username": STR,
                        "profile": STR, "picture": STR}),
    "Preferences": entity(
        {"posting:default:visibility": STR, "posting:default:sensitive": BOOL,
         "posting:default:language": NSTR, "reading:expand:media": STR,
         "reading:expand:spoilers": BOOL}),
}


# -- the table of Mastodon operations -------------------------------------------------------


@dataclass(frozen=True)
class Op:
    summary: str
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    body: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    returns: dict[str, Any] = field(default_factory=lambda: OBJECT)
    multipart: bool = False


PAGING = {
    "max_id": {**ID, "description": "results older than this id"},
    "since_id": {**ID, "description": "results newer than this id"},
    "min_id": {**ID, "description": "results immediately newer than this id"},
    "limit": {**INT, "description": "clamped to 1..40 (accounts: 80)"},
}
TEXT = {"type": "string", "maxLength": 5000}


def text(limit: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, **extra}


STATUS_BODY = {
    "status": {**STR, "description": f"the text; {settings.PARLEY_MAX_POST_CHARS} characters "
               "(a link counts 23), at most PARLEY_MAX_POST_BYTES bytes"},
    "spoiler_text": text(1000),
    "media_ids": {**IDS, "maxItems": 4},
    "sensitive": BOOL,
    "visibility": {"type": "string", "enum": ["public", "unlisted", "private", "direct"]},
    "language": text(16),
    "in_reply_to_id": ID,
    "scheduled_at": {**STR, "description": "not supported yet: 422"},
    "poll": {"type": "object", "description": "a poll (form: poll[options][], ...)",
             "properties": {
                 "options": {"type": "array", "items": text(50), "minItems": 2, "maxItems": 4},
                 "expires_in": {**INT, "minimum": 300, "maximum": 2592000},
                 "multiple": BOOL, "hide_totals": BOOL}},
}
STATUS_ACTION = Op("", returns=ref("Status"))
TYPE_FILTERS = {"types[]": {"type": "array", "items": text(32)},
                "exclude_types[]": {"type": "array", "items": text(32)},
                "account_id": {**ID, "description": "only notifications from this account"}}
LIST_BODY = {
    "title": text(200),
    "replies_policy": {"type": "string", "enum": ["followed", "list", "none"]},
    "exclusive": BOOL,
}

KEYWORD_BODY = {"keyword": text(512), "whole_word": BOOL}
FILTER_BODY = {
    "title": text(200),
    "context": {"type": "array", "items": {
        "type": "string", "enum": ["home", "notifications", "public", "thread", "account"]}},
    "filter_action": {"type": "string", "enum": ["warn", "hide", "blur"]},
    "expires_in": {**INT, "description": "seconds; empty on PUT: never expires"},
    "keywords_attributes": {"type": "array", "items": {
        "type": "object", "properties": {**KEYWORD_BODY, "id": ID, "_destroy": BOOL}}},
}

V1_FILTER_BODY = {
    "phrase": text(200),
    "context": FILTER_BODY["context"],
    "irreversible": {**BOOL, "description": "hide matches (else warn)"},
    "whole_word": BOOL,
    "expires_in": {**INT, "description": "seconds; empty on PUT: never expires"},
}

OPERATIONS: dict[tuple[str, str], Op] = {
    ("POST", "/api/v1/apps"): Op(
        "Register an app",
        body={"client_name": text(60), "redirect_uris": text(2000), "scopes": text(1000),
              "website": text(2000)},
        required=("client_name", "redirect_uris"), returns=ref("Application")),
    ("GET", "/api/v1/apps/verify_credentials"): Op("The app of this token",
                                                  returns=ref("Application")),
    ("GET", "/api/v1/instance"): Op("Instance metadata (v1)", returns=ref("InstanceV1")),
    ("GET", "/api/v2/instance"): Op("Instance metadata (v2)", returns=ref("InstanceV2")),
    ("GET", "/api/v1/instance/rules"): Op("The instance's rules", returns=array_of("Rule")),
    ("GET", "/api/v1/custom_emojis"): Op("Custom emojis (none)", returns={"type": "array"}),
    ("GET", "/api/v1/filters"): Op("The caller's filter keywords as v1 filters",
                                   returns=array_of("FilterV1")),
    ("POST", "/api/v1/filters"): Op("Create a v1 filter (a v2 filter of one keyword)",
                                    body=V1_FILTER_BODY, required=("phrase", "context"),
                                    returns=ref("FilterV1")),
    ("GET", "/api/v1/filters/{keyword_id}"): Op("One keyword as a v1 filter",
                                                returns=ref("FilterV1")),
    ("PUT", "/api/v1/filters/{keyword_id}"): Op(
        "Change a v1 filter (context, irreversible and expiry only of a one-keyword filter)",
        body=V1_FILTER_BODY, returns=ref("FilterV1")),
    ("DELETE", "/api/v1/filters/{keyword_id}"): Op("Delete a v1 filter (the keyword)"),
    ("GET", "/api/v2/filters"): Op("The caller's filters", returns=array_of("Filter")),
    ("POST", "/api/v2/filters"): Op("Create a filter", body=FILTER_BODY,
                                    required=("title", "context"), returns=ref("Filter")),
    ("GET", "/api/v2/filters/{filter_id}"): Op("One of the caller's filters",
                                               returns=ref("Filter")),
    ("PUT", "/api/v2/filters/{filter_id}"): Op(
        "Change a filter; keywords_attributes with id edit (or _destroy) a keyword",
        body=FILTER_BODY, returns=ref("Filter")),
    ("DELETE", "/api/v2/filters/{filter_id}"): Op("Delete a filter"),
    ("GET", "/api/v2/filters/{filter_id}/keywords"): Op("A filter's keywords",
                                                        returns=array_of("FilterKeyword")),
    ("POST", "/api/v2/filters/{filter_id}/keywords"): Op(
        "Add a keyword", body=KEYWORD_BODY, required=("keyword",),
        returns=ref("FilterKeyword")),
    ("GET", "/api/v2/filters/keywords/{keyword_id}"): Op("One keyword",
                                                         returns=ref("FilterKeyword")),
    ("PUT", "/api/v2/filters/keywords/{keyword_id}"): Op(
        "Change a keyword", body=KEYWORD_BODY, returns=ref("FilterKeyword")),
    ("DELETE", "/api/v2/filters/keywords/{keyword_id}"): Op("Delete a keyword"),
    ("GET", "/api/v2/filters/{filter_id}/statuses"): Op("A filter's statuses",
                                                        returns=array_of("FilterStatus")),
    ("POST", "/api/v2/filters/{filter_id}/statuses"): Op(
        "Filter one status", body={"status_id": ID}, required=("status_id",),
        returns=ref("FilterStatus")),
    ("GET", "/api/v2/filters/statuses/{filter_status_id}"): Op(
        "One filtered status", returns=ref("FilterStatus")),
    ("DELETE", "/api/v2/filters/statuses/{filter_status_id}"): Op("Stop filtering a status"),
    ("GET", "/api/v1/lists"): Op("The caller's lists", returns=array_of("List")),
    ("POST", "/api/v1/lists"): Op("Create a list", body=LIST_BODY, required=("title",),
                                  returns=ref("List")),
    ("GET", "/api/v1/lists/{list_id}"): Op("One of the caller's lists", returns=ref("List")),
    ("PUT", "/api/v1/lists/{list_id}"): Op("Rename or change a list", body=LIST_BODY,
                                           returns=ref("List")),
    ("DELETE", "/api/v1/lists/{list_id}"): Op("Delete a list"),
    ("GET", "/api/v1/lists/{list_id}/accounts"): Op(
        "Accounts on a list (limit=0: all, unpaged)", query={**PAGING, "limit": INT},
        returns=array_of("Account")),
    ("POST", "/api/v1/lists/{list_id}/accounts"): Op(
        "Add followed accounts to a list", body={"account_ids": IDS},
        required=("account_ids",)),
    ("DELETE", "/api/v1/lists/{list_id}/accounts"): Op(
        "Remove accounts from a list", query={"account_ids[]": IDS}, body={"account_ids": IDS}),
    ("GET", "/api/v1/timelines/list/{list_id}"): Op("A list's timeline", query=PAGING,
                                                    returns=array_of("Status")),
    ("GET", "/api/v1/accounts/{account_id}/lists"): Op("The caller's lists with this account",
                                                       returns=array_of("List")),
    ("GET", "/api/v1/follow_requests"): Op(
        "Accounts asking to follow the caller, newest request first",
        query={**PAGING, "limit": {**INT, "description": "clamped to 1..80"}},
        returns=array_of("Account")),
    ("POST", "/api/v1/follow_requests/{account_id}/authorize"): Op(
        "Let this account follow the caller", returns=ref("Relationship")),
    ("POST", "/api/v1/follow_requests/{account_id}/reject"): Op(
        "Turn this account's follow request away", returns=ref("Relationship")),
    ("GET", "/api/v1/markers"): Op(
        "Where the caller stopped reading",
        query={"timeline[]": {"type": "array",
                              "items": {"type": "string", "enum": ["home", "notifications"]}}},
        returns=ref("Markers")),
    ("POST", "/api/v1/markers"): Op(
        "Save where the caller stopped reading",
        body={"home": entity({"last_read_id": ID}),
              "notifications": entity({"last_read_id": ID})},
        returns=ref("Markers")),
    ("GET", "/api/v1/preferences"): Op("Posting and reading defaults", returns=ref("Preferences")),
    ("GET", "/api/v2/search"): Op(
        "Search accounts, hashtags and statuses",
        query={"q": text(500),
               "type": {"type": "string", "enum": ["accounts", "hashtags", "statuses"]},
               "limit": INT, "offset": {**INT, "minimum": 0}, "resolve": BOOL},
        returns=ref("Search")),
    ("POST", "/api/v1/reports"): Op(
        "Report an account or its statuses",
        body={"account_id": ID, "status_ids": IDS, "comment": text(1000),
              "category": {"type": "string", "enum": ["spam", "legal", "violation", "other"]},
              "rule_ids": IDS, "forward": BOOL},
        required=("account_id",), returns=ref("Report")),
    ("POST", "/api/v1/accounts"): Op(
        "Sign up",
        body={"username": text(30), "email": text(254), "password": text(128),
              "agreement": BOOL, "locale": text(16), "reason": text(1000)},
        required=("username", "email", "password", "agreement"), returns=ref("Token")),
    ("GET", "/api/v1/accounts/verify_credentials"): Op("The token's account",
                                                      returns=ref("Account")),
    ("PATCH", "/api/v1/accounts/update_credentials"): Op(
        "Update the profile",
        body={"display_name": text(100), "note": text(500), "avatar": {**STR, "format": "binary"},
              "locked": {**BOOL, "description": "followers must be approved (follow requests)"},
              "bot": BOOL, "discoverable": {**BOOL, "description": "listed in the directory "
                                            "and suggestions"},
              "source": {"type": "object", "description": "posting defaults (form: "
                         "source[privacy], ...)", "properties": {
                             "privacy": {"type": "string",
                                         "enum": ["public", "unlisted", "private"]},
                             "sensitive": BOOL, "language": text(8)}}},
        returns=ref("Account"), multipart=True),
    ("GET", "/api/v1/accounts/relationships"): Op(
        "Relationships with accounts", query={"id[]": IDS}, returns=array_of("Relationship")),
    ("GET", "/api/v1/accounts/lookup"): Op("An account by its address", query={"acct": text(300)},
                                          required=("acct",), returns=ref("Account")),
    ("GET", "/api/v1/accounts/search"): Op(
        "Search accounts", query={"q": text(500), "limit": INT, "resolve": BOOL},
        required=("q",), returns=array_of("Account")),
    ("GET", "/api/v1/accounts/{account_id}"): Op("An account", returns=ref("Account")),
    ("GET", "/api/v1/accounts/{account_id}/statuses"): Op(
        "An account's statuses",
        query={**PAGING, "pinned": BOOL, "exclude_replies": BOOL, "exclude_reblogs": BOOL,
               "only_media": BOOL, "tagged": text(100)},
        returns=array_of("Status")),
    ("GET", "/api/v1/accounts/{account_id}/followers"): Op(
        "Followers", query=PAGING, returns=array_of("Account")),
    ("GET", "/api/v1/accounts/{account_id}/following"): Op(
        "Followed accounts", query=PAGING, returns=array_of("Account")),
    **{("POST", f"/api/v1/accounts/{{account_id}}/{action}"): Op(
        f"{action.capitalize()} an account",
        body={"notifications": BOOL, "duration": {**INT, "minimum": 0}}
        if action == "mute" else {},
        returns=ref("Relationship"))
       for action in ("follow", "unfollow", "block", "unblock", "mute", "unmute")},
    ("GET", "/api/v1/blocks"): Op("Blocked accounts", query=PAGING, returns=array_of("Account")),
    ("GET", "/api/v1/mutes"): Op("Muted accounts (with mute_expires_at)", query=PAGING,
                                returns=array_of("Account")),
    ("GET", "/api/v1/domain_blocks"): Op("Blocked domains (none: no federation)", query=PAGING,
                                        returns={"type": "array", "items": STR}),
    ("GET", "/api/v1/tags/{name}"): Op("A hashtag, its last week of use", returns=ref("Tag")),
    ("POST", "/api/v1/tags/{name}/follow"): Op("Follow a hashtag (its public posts join "
                                               "home)", returns=ref("Tag")),
    ("POST", "/api/v1/tags/{name}/unfollow"): Op("Unfollow a hashtag", returns=ref("Tag")),
    ("GET", "/api/v1/followed_tags"): Op("Followed hashtags", query=PAGING,
                                        returns=array_of("Tag")),
    ("GET", "/api/v1/featured_tags"): Op("The caller's featured hashtags",
                                        returns=array_of("FeaturedTag")),
    ("POST", "/api/v1/featured_tags"): Op("Feature a hashtag (10 at most)",
                                         body={"name": text(100)}, required=("name",),
                                         returns=ref("FeaturedTag")),
    ("DELETE", "/api/v1/featured_tags/{featured_tag_id}"): Op("Stop featuring a hashtag"),
    ("GET", "/api/v1/featured_tags/suggestions"): Op(
        "The caller's most used hashtags not featured yet", returns=array_of("Tag")),
    ("GET", "/api/v1/accounts/{account_id}/featured_tags"): Op(
        "An account's featured hashtags", returns=array_of("FeaturedTag")),
    ("POST", "/api/v1/accounts/{account_id}/pin"): Op(
        "Endorse a followed account (422 if not followed)", returns=ref("Relationship")),
    ("POST", "/api/v1/accounts/{account_id}/unpin"): Op(
        "Stop endorsing an account", returns=ref("Relationship")),
    ("GET", "/api/v1/endorsements"): Op("Accounts the caller endorses", query=PAGING,
                                       returns=array_of("Account")),
    ("GET", "/api/v1/accounts/{account_id}/endorsements"): Op(
        "Accounts an account endorses", query=PAGING, returns=array_of("Account")),
    ("POST", "/api/v1/accounts/{account_id}/note"): Op(
        "Set the caller's private note on an account (empty: remove)",
        body={"comment": text(1000)}, returns=ref("Relationship")),
    ("GET", "/api/v1/accounts/familiar_followers"): Op(
        "Accounts the caller follows that follow each account",
        query={"id[]": {**IDS, "maxItems": 40}}, returns=array_of("FamiliarFollowers")),
    ("GET", "/api/v2/suggestions"): Op("Accounts to follow", query={"limit": INT},
                                      returns=array_of("Suggestion")),
    ("GET", "/api/v1/suggestions"): Op("Accounts to follow (v1)", query={"limit": INT},
                                      returns=array_of("Account")),
    ("DELETE", "/api/v1/suggestions/{account_id}"): Op("Never suggest this account again"),
    ("GET", "/api/v1/directory"): Op(
        "Accounts that opted into the directory (discoverable)",
        query={"offset": INT, "limit": INT,
               "order": {"type": "string", "enum": ["active", "new"]}, "local": BOOL},
        returns=array_of("Account")),
    ("GET", "/api/v1/statuses"): Op(
        "Several statuses by id (those not visible are left out)",
        query={"id[]": {**IDS, "maxItems": 40}}, returns=array_of("Status")),
    ("GET", "/api/v1/accounts"): Op(
        "Several accounts by id (those not visible are left out)",
        query={"id[]": {**IDS, "maxItems": 40}}, returns=array_of("Account")),
    ("POST", "/api/v1/statuses"): Op("Post a status (header Idempotency-Key accepted)",
                                    body=STATUS_BODY, returns=ref("Status")),
    ("GET", "/api/v1/statuses/{status_id}"): Op("A status", returns=ref("Status")),
    ("GET", "/api/v1/polls/{poll_id}"): Op("A poll of a status the caller may see",
                                          returns=ref("Poll")),
    ("POST", "/api/v1/polls/{poll_id}/votes"): Op(
        "Vote on a poll (once; 422 when ended, out of range or several on single-choice)",
        body={"choices": {"type": "array", "items": INT, "minItems": 1}},
        required=("choices",), returns=ref("Poll")),
    ("PUT", "/api/v1/statuses/{status_id}"): Op(
        "Edit a status",
        body={k: STATUS_BODY[k] for k in ("status", "spoiler_text", "sensitive", "media_ids",
                                          "scheduled_at")}
        | {"poll": {**STATUS_BODY["poll"], "description": (
            "the post's poll after the edit (new options or multiple reset the votes); "
            "absent: the poll is removed")}},
        returns=ref("Status")),
    ("DELETE", "/api/v1/statuses/{status_id}"): Op("Delete a status (returns it with its text)",
                                                  returns=ref("Status")),
    ("GET", "/api/v1/statuses/{status_id}/context"): Op("Ancestors and replies",
                                                       returns=ref("Context")),
    ("GET", "/api/v1/statuses/{status_id}/source"): Op("The plain text of one's own status",
                                                      returns=ref("StatusSource")),
    ("GET", "/api/v1/statuses/{status_id}/history"): Op("Earlier versions",
                                                       returns=array_of("StatusEdit")),
    ("GET", "/api/v1/statuses/{status_id}/favourited_by"): Op("Who liked it",
                                                             returns=array_of("Account")),
    ("GET", "/api/v1/statuses/{status_id}/reblogged_by"): Op("Who echoed it",
                                                            returns=array_of("Account")),
    **{("POST", f"/api/v1/statuses/{{status_id}}/{action}"): Op(
        f"{action.capitalize()} a status", returns=ref("Status"))
       for action in ("reblog", "unreblog", "favourite", "unfavourite")},
    ("POST", "/api/v1/statuses/{status_id}/bookmark"): Op("Bookmark a status",
                                                          returns=ref("Status")),
    ("POST", "/api/v1/statuses/{status_id}/unbookmark"): Op("Remove a bookmark",
                                                            returns=ref("Status")),
    ("POST", "/api/v1/statuses/{status_id}/pin"): Op(
        "Feature one's own public or unlisted status on one's profile (5 at most)",
        returns=ref("Status")),
    ("POST", "/api/v1/statuses/{status_id}/unpin"): Op("Stop featuring a status",
                                                       returns=ref("Status")),
    ("GET", "/api/v1/bookmarks"): Op("Bookmarked statuses, newest bookmark first",
                                     query=PAGING, returns=array_of("Status")),
    ("POST", "/api/v1/media"): Op(
        "Upload an image (PNG, JPEG, GIF, WebP)",
        body={"file": {**STR, "format": "binary"}, "description": text(1500)},
        required=("file",), returns=ref("MediaAttachment"), multipart=True),
    ("POST", "/api/v2/media"): Op(
        "Upload an image (PNG, JPEG, GIF, WebP)",
        body={"file": {**STR, "format": "binary"}, "description": text(1500)},
        required=("file",), returns=ref("MediaAttachment"), multipart=True),
    ("GET", "/api/v1/media/{media_id}"): Op("One's own upload", returns=ref("MediaAttachment")),
    ("PUT", "/api/v1/media/{media_id}"): Op("Describe an upload",
                                            body={"description": text(1500)},
                                            returns=ref("MediaAttachment")),
    ("GET", "/api/v1/timelines/home"): Op("Home timeline", query=PAGING,
                                          returns=array_of("Status")),
    ("GET", "/api/v1/timelines/public"): Op(
        "Public timeline", query={**PAGING, "local": BOOL, "remote": BOOL, "only_media": BOOL},
        returns=array_of("Status")),
    ("GET", "/api/v1/timelines/tag/{tag}"): Op("Hashtag timeline", query=PAGING,
                                               returns=array_of("Status")),
    ("GET", "/api/v1/favourites"): Op("Liked statuses", query=PAGING, returns=array_of("Status")),
    ("GET", "/api/v1/notifications"): Op(
        "Notifications", query={**PAGING, "types[]": {"type": "array", "items": text(32)},
                                "exclude_types[]": {"type": "array", "items": text(32)}},
        returns=array_of("Notification")),
    ("GET", "/api/v1/conversations"): Op(
        "Direct-message threads, newest message first (paged by last status)",
        query=PAGING, returns=array_of("Conversation")),
    ("POST", "/api/v1/conversations/{conversation_id}/read"): Op(
        "Mark a conversation read", returns=ref("Conversation")),
    ("DELETE", "/api/v1/conversations/{conversation_id}"): Op(
        "Remove a conversation from the list (its posts stay; a new message brings it back)"),
    ("GET", "/api/v2/notifications"): Op(
        "Grouped notifications (likes, echoes, follows of one thing within 12 hours)",
        query={**PAGING, **TYPE_FILTERS,
               "grouped_types[]": {"type": "array", "items": text(32)},
               "expand_accounts": {"type": "string", "enum": ["full", "partial_avatars"]}},
        returns=ref("GroupedNotifications")),
    ("GET", "/api/v2/notifications/{group_key}"): Op(
        "One notification group, whole", returns=ref("GroupedNotifications")),
    ("GET", "/api/v2/notifications/{group_key}/accounts"): Op(
        "The accounts of a notification group, newest first", returns=array_of("Account")),
    ("POST", "/api/v2/notifications/{group_key}/dismiss"): Op(
        "Dismiss every notification of a group"),
    ("GET", "/oauth/userinfo"): Op("OpenID Connect UserInfo of the token's member",
                                   returns=ref("UserInfo")),
    ("POST", "/oauth/userinfo"): Op("OpenID Connect UserInfo of the token's member",
                                    returns=ref("UserInfo")),
    ("GET", "/api/v1/notifications/unread_count"): Op(
        "Notifications newer than the notifications marker",
        query={"limit": INT, **TYPE_FILTERS}, returns=ref("UnreadCount")),
    ("GET", "/api/v2/notifications/unread_count"): Op(
        "Notification groups newer than the notifications marker",
        query={"limit": INT, **TYPE_FILTERS,
               "grouped_types[]": {"type": "array", "items": text(32)}},
        returns=ref("UnreadCount")),
    ("GET", "/api/v1/notifications/{notification_id}"): Op("One notification",
                                                          returns=ref("Notification")),
    ("POST", "/api/v1/notifications/{notification_id}/dismiss"): Op("Dismiss a notification"),
    ("POST", "/api/v1/notifications/clear"): Op("Dismiss all notifications"),
    # Parley's notifier API: the list takes filters the view's decorator does not declare.
    ("GET", "/api/parley/v1/notices"): Op(
        "This notifier's notices, newest first",
        query={"limit": INT, "max_id": ID,
               "outcome": {"type": "string",
                           "enum": ["pending", "actioned", "rejected", "no_action"]}},
        returns={"type": "array", "items": OBJECT}),
}

# Plain Django views (django-oauth-toolkit), outside DRF: described by hand.
OAUTH_PATHS: dict[str, Any] = {
    "/oauth/token": {"post": {
        "operationId": "oauth_token", "tags": ["oauth"],
        "summary": "Obtain a token (authorization_code, password, client_credentials, "
                   "refresh_token)",
        "requestBody": {"content": {
            media: {"schema": entity(
                {"grant_type": {"type": "string", "enum": ["authorization_code", "password",
                                         "client_credentials", "refresh_token"]},
                 "client_id": STR},
                client_secret=STR, code=STR, redirect_uri=STR, username=STR, password=STR,
                refresh_token=STR, scope=STR, code_verifier=STR)}
            for media in ("application/x-www-form-urlencoded", "application/json")}},
        "responses": {"200": {"description": "a token",
                              "content": {"application/json": {"schema": ref("Token")}}},
                      **{code: {"description": "OAuth error (error, error_description)",
                                "content": {"application/json": {"schema": ref("Error")}}}
                         for code in ("400", "401", "413", "422", "429")}},
        "security": [],
    }},
    "/oauth/revoke": {"post": {
        "operationId": "oauth_revoke", "tags": ["oauth"], "summary": "Revoke a token",
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": entity(
            {"client_id": STR, "token": STR}, client_secret=STR)}}},
        "responses": {"200": {"description": "revoked", "content": {
            "application/json": {"schema": OBJECT}}},
            **{code: {"description": "OAuth error", "content": {
                "application/json": {"schema": ref("Error")}}}
               for code in ("400", "401", "403", "413", "422")}},
        "security": [],
    }},
}

# Parley's own list endpoints (their views' decorators say only "object").
LISTS = {
    ("GET", "/api/parley/v1/cases"),
    ("GET", "/api/parley/v1/cases/{case_id}/actions"),
    ("GET", "/api/parley/v1/appeals"),
    ("GET", "/api/parley/v1/notifiers"),
    ("GET", "/api/parley/v1/statements"),
    ("GET", "/api/v1/admin/reports"),
}

ERRORS = {
    "400": "Malformed request (bad JSON, nested too deeply)",
    "401": "No token, or the token is invalid",
    "403": "Not allowed (missing scope, not a moderator, suspended)",
    "404": "Record not found (or not visible to you)",
    "409": "Conflict with the record's state",
    "413": "Request body too large",
    "422": "Validation failed",
    "429": "Rate-limited (see the X-RateLimit-* headers)",
    "507": "Insufficient storage",
}
# Path parameters that are not ids.
PATH_PARAMETERS = {
    "tag": STR,
    "name": STR,
    "group_key": {**STR, "pattern": r"^[a-z_.]+-[0-9-]+$",
                  "description": "a group's key (favourite-<status>-<hour>, ungrouped-<id>)"},
}
# Operations that answer 409 when another request changed the record first.
CONFLICTS = {("POST", "/api/v1/markers")}
HIDDEN_PATHS = ("/api/openapi.json", "/api/docs")
BODY_METHODS = {"post", "put", "patch"}


# -- the hook -------------------------------------------------------------------------------


def postprocess(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOKS entry: complete every operation."""
    views = _views_by_path(generator)
    paths: dict[str, Any] = {}
    for path, operations in result.get("paths", {}).items():
        bare = path.rstrip("/") or path
        if bare in HIDDEN_PATHS:
            continue
        for method, operation in operations.items():
            view = views.get((bare, method.upper()))
            complete_operation(bare, method, operation, view)
        paths[bare] = operations
    paths.update(OAUTH_PATHS)
    result["paths"] = dict(sorted(paths.items()))
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(COMPONENTS)
    components.setdefault("securitySchemes", {})["oauth2"] = _oauth_scheme()
    return result


def _views_by_path(generator) -> dict[tuple[str, str], type]:
    views = {}
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or []:
        views[(path.rstrip("/"), method.upper())] = getattr(callback, "cls", None)
    return views


def complete_operation(path: str, method: str, operation: dict[str, Any], view) -> None:
    op = OPERATIONS.get((method.upper(), path))
    if op is not None:
        _apply_table(path, method, operation, op)
    if (method.upper(), path) in LISTS:
        operation["responses"]["200"] = {"description": "OK", "content": {
            "application/json": {"schema": {"type": "array", "items": OBJECT}}}}
    needed = _needed_scope(view, method)
    if needed is None and _always_authenticated(view):
        needed = getattr(view, "needed_scope", None)
    codes = ["422", "429"]
    if isinstance(needed, AnonymousOr):
        operation["security"] = [{}, *({"oauth2": [s]} for s in needed.scopes)]
        codes += ["401", "403"]
    elif needed is not None:
        alternatives = needed if isinstance(needed, tuple) else (needed,)
        operation["security"] = [{"oauth2": [s]} for s in alternatives]
        codes += ["401", "403"]
    elif view is not None and _is_mastodon_view(view):
        operation["security"] = [{}, {"oauth2": []}]
    if needed is None and _always_authenticated(view):
        codes += ["401", "403"]
    if "{" in path or _names_records(op):
        codes.append("404")
    if (method.upper(), path) in CONFLICTS:
        codes.append("409")
    if method in BODY_METHODS:
        codes += ["400", "413"]
        if path.startswith("/api/v1/media") or path.startswith("/api/v2/media"):
            codes.append("507")
    responses = operation.setdefault("responses", {})
    for code in codes:
        responses.setdefault(code, _error(ERRORS[code]))
    for code, response in list(responses.items()):
        if code >= "400" and "content" not in response:
            responses[code] = _error(response.get("description") or ERRORS.get(code, "Error"))


def _apply_table(path: str, method: str, operation: dict[str, Any], op: Op) -> None:
    operation["summary"] = op.summary or operation.get("summary", "")
    parameters = [p for p in operation.get("parameters", []) if p.get("in") == "path"]
    for parameter in parameters:
        parameter["schema"] = PATH_PARAMETERS.get(parameter["name"], ID)
    if method.upper() == "GET" or not op.body:
        for name, schema in op.query.items():
            parameters.append({"in": "query", "name": name, "schema": schema,
                               "required": name in op.required,
                               **({"style": "form", "explode": True}
                                  if schema.get("type") == "array" else {})})
    operation["parameters"] = parameters
    if op.body and method in BODY_METHODS:
        body = {"type": "object", "properties": op.body}
        if op.required:
            body["required"] = list(op.required)
        media = ["multipart/form-data"] if op.multipart else []
        media += ["application/json", "application/x-www-form-urlencoded"]
        if op.multipart and "file" in op.body:
            media = ["multipart/form-data"]
        operation["requestBody"] = {"required": bool(op.required),
                                    "content": {m: {"schema": body} for m in media}}
    else:
        operation.pop("requestBody", None)
    operation["responses"] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": op.returns}}}
    }


def _names_records(op: Op | None) -> bool:
    """Whether a parameter names a record (an id, an address) that may not exist."""
    names = {*op.query, *op.body} if op else set()
    return any(n.endswith(("_id", "_ids", "_id[]")) or n in ("acct", "id[]") for n in names)


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": ref("Error")}}}


def _needed_scope(view, method: str) -> Needed:
    scopes = getattr(view, "scopes", None)
    if not isinstance(scopes, dict):
        return None
    return needed_for(scopes, method.upper())


def _is_mastodon_view(view) -> bool:
    from parley.api.base import MastodonAPIView

    return isinstance(view, type) and issubclass(view, MastodonAPIView)


def _always_authenticated(view) -> bool:
    """Views that check the token themselves (statements, notifier API, app credentials)."""
    if view is None:
        return False
    from parley.api.views_misc import AppVerifyView
    from parley.api.views_notifier import NotifierAPIView
    from parley.api.views_safety import RecipientAPIView

    return issubclass(view, NotifierAPIView | RecipientAPIView | AppVerifyView) or getattr(
        view, "moderators_only", False
    )


def _oauth_scheme() -> dict[str, Any]:
    scopes = {scope: scope for scope in settings.MASTODON_SCOPES}
    return {
        "type": "oauth2",
        "flows": {
            "authorizationCode": {"authorizationUrl": "/oauth/authorize",
                                  "tokenUrl": "/oauth/token", "scopes": scopes},
            "password": {"tokenUrl": "/oauth/token", "scopes": scopes},
            "clientCredentials": {"tokenUrl": "/oauth/token", "scopes": scopes},
        },
    }
