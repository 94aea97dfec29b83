"""Mastodon 4.3's entities as the documentation describes them (docs.joinmastodon.org,
entities/*), restated here: every attribute it always sends, with its type. Attributes it
sends only in some versions, to some viewers or in some states are ``Optional``."""

from __future__ import annotations

from tests.api.contracts.checker import (
    BOOL,
    DATE,
    DATETIME,
    HASH,
    ID,
    INT,
    STRING,
    URL,
    WS_URL,
    ListOf,
    Nullable,
    OneOf,
    Optional,
)

VISIBILITY = OneOf("public", "unlisted", "private", "direct")

CUSTOM_EMOJI = {
    "shortcode": STRING,
    "url": URL,
    "static_url": URL,
    "visible_in_picker": BOOL,
    "category": Nullable(STRING),
}

FIELD = {"name": STRING, "value": STRING, "verified_at": Nullable(DATETIME)}

# Account#roles: the account's highlighted roles (local accounts).
ACCOUNT_ROLE = {"id": ID, "name": STRING, "color": STRING}

ACCOUNT = {
    "id": ID,
    "username": STRING,
    "acct": STRING,
    "url": URL,
    "uri": URL,
    "display_name": STRING,
    "note": STRING,
    "avatar": URL,
    "avatar_static": URL,
    "header": URL,
    "header_static": URL,
    "locked": BOOL,
    "fields": ListOf(FIELD),
    "emojis": ListOf(CUSTOM_EMOJI),
    "bot": BOOL,
    "group": BOOL,
    "discoverable": Nullable(BOOL),
    "noindex": Nullable(BOOL),
    "hide_collections": Nullable(BOOL),
    "indexable": BOOL,
    "roles": ListOf(ACCOUNT_ROLE),
    "created_at": DATETIME,
    "last_status_at": Nullable(DATE),
    "statuses_count": INT,
    "followers_count": INT,
    "following_count": INT,
    "suspended": Optional(BOOL),
    "limited": Optional(BOOL),
    "memorial": Optional(BOOL),
}

ROLE = {"id": ID, "name": STRING, "color": STRING, "permissions": ID, "highlighted": BOOL}

CREDENTIAL_ACCOUNT = {
    **ACCOUNT,
    "source": {
        "note": STRING,
        "fields": ListOf(FIELD),
        "privacy": VISIBILITY,
        "sensitive": BOOL,
        "language": STRING,
        "follow_requests_count": INT,
        "hide_collections": Nullable(BOOL),
        "discoverable": Nullable(BOOL),
        "indexable": BOOL,
    },
    "role": ROLE,
}

MEDIA_ATTACHMENT = {
    "id": ID,
    "type": OneOf("unknown", "image", "gifv", "video", "audio"),
    "url": URL,
    "preview_url": Nullable(URL),
    "remote_url": Nullable(URL),
    "meta": HASH,
    "description": Nullable(STRING),
    "blurhash": Nullable(STRING),
}

POLL = {
    "id": ID,
    "expires_at": Nullable(DATETIME),
    "expired": BOOL,
    "multiple": BOOL,
    "votes_count": INT,
    "voters_count": Nullable(INT),
    "options": ListOf({"title": STRING, "votes_count": Nullable(INT)}),
    "emojis": ListOf(CUSTOM_EMOJI),
    "voted": Optional(BOOL),
    "own_votes": Optional(ListOf(INT)),
}

FILTER_KEYWORD = {"id": ID, "keyword": STRING, "whole_word": BOOL}
FILTER_STATUS = {"id": ID, "status_id": ID}
FILTER_CONTEXT = OneOf("home", "notifications", "public", "thread", "account")

FILTER = {
    "id": ID,
    "title": STRING,
    "context": ListOf(FILTER_CONTEXT),
    "expires_at": Nullable(DATETIME),
    "filter_action": OneOf("warn", "hide", "blur"),
    "keywords": ListOf(FILTER_KEYWORD),
    "statuses": ListOf(FILTER_STATUS),
}

FILTER_RESULT = {
    # The filter as in Filter; Mastodon leaves its keywords and statuses out here.
    "filter": {key: FILTER[key] for key in ("id", "title", "context", "expires_at",
                                             "filter_action")},
    "keyword_matches": Nullable(ListOf(STRING)),
    "status_matches": Nullable(ListOf(ID)),
}

V1_FILTER = {
    "id": ID,
    "phrase": STRING,
    "context": ListOf(FILTER_CONTEXT),
    "expires_at": Nullable(DATETIME),
    "irreversible": BOOL,
    "whole_word": BOOL,
}

APPLICATION = {
    "name": STRING,
    "website": Nullable(STRING),
    # Mastodon 4.3 adds these to Application (and keeps the deprecated vapid_key).
    "id": Optional(ID),
    "scopes": Optional(ListOf(STRING)),
    "redirect_uris": Optional(ListOf(STRING)),
}

CREDENTIAL_APPLICATION = {
    **APPLICATION,
    "id": ID,
    "scopes": ListOf(STRING),
    "redirect_uri": STRING,
    "redirect_uris": ListOf(STRING),
    "vapid_key": STRING,
    "client_id": STRING,
    "client_secret": STRING,
    "client_secret_expires_at": INT,
}

STATUS_MENTION = {"id": ID, "username": STRING, "url": URL, "acct": STRING}
STATUS_TAG = {"name": STRING, "url": URL}


def _status(nested_reblog) -> dict:
    return {
        "id": ID,
        "uri": STRING,
        "url": Nullable(URL),
        "created_at": DATETIME,
        "account": ACCOUNT,
        "content": STRING,
        "visibility": VISIBILITY,
        "sensitive": BOOL,
        "spoiler_text": STRING,
        "media_attachments": ListOf(MEDIA_ATTACHMENT),
        "application": Optional(Nullable({"name": STRING, "website": Nullable(STRING)})),
        "mentions": ListOf(STATUS_MENTION),
        "tags": ListOf(STATUS_TAG),
        "emojis": ListOf(CUSTOM_EMOJI),
        "reblogs_count": INT,
        "favourites_count": INT,
        "replies_count": INT,
        "in_reply_to_id": Nullable(ID),
        "in_reply_to_account_id": Nullable(ID),
        "reblog": Nullable(nested_reblog),
        "poll": Nullable(POLL),
        "card": Nullable(HASH),
        "language": Nullable(STRING),
        "text": Nullable(STRING),
        "edited_at": Nullable(DATETIME),
        "favourited": Optional(BOOL),
        "reblogged": Optional(BOOL),
        "muted": Optional(BOOL),
        "bookmarked": Optional(BOOL),
        "pinned": Optional(BOOL),
        "filtered": Optional(ListOf(FILTER_RESULT)),
    }


STATUS = _status(_status(HASH))

# With a user's token Mastodon adds the viewer's own flags and filter results.
STATUS_AS_SEEN_BY_A_MEMBER = {
    **STATUS,
    **{flag: BOOL for flag in ("favourited", "reblogged", "muted", "bookmarked")},
    "filtered": ListOf(FILTER_RESULT),
}

STATUS_SOURCE = {"id": ID, "text": STRING, "spoiler_text": STRING}

STATUS_EDIT = {
    "content": STRING,
    "spoiler_text": STRING,
    "sensitive": BOOL,
    "created_at": DATETIME,
    "account": ACCOUNT,
    "poll": Optional(Nullable(HASH)),
    "media_attachments": ListOf(MEDIA_ATTACHMENT),
    "emojis": ListOf(CUSTOM_EMOJI),
}

CONTEXT = {"ancestors": ListOf(STATUS), "descendants": ListOf(STATUS)}

NOTIFICATION_TYPES = OneOf(
    "mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
    "admin.sign_up", "admin.report", "severed_relationships", "moderation_warning",
)

NOTIFICATION = {
    "id": ID,
    "type": STRING,
    "group_key": STRING,
    "created_at": DATETIME,
    "account": ACCOUNT,
    "status": Optional(Nullable(STATUS)),
    "report": Optional(HASH),
    "relationship_severance_event": Optional(HASH),
    "moderation_warning": Optional(HASH),
}

NOTIFICATION_GROUP = {
    "group_key": STRING,
    "notifications_count": INT,
    "type": STRING,
    "most_recent_notification_id": ID,
    "page_min_id": Optional(ID),
    "page_max_id": Optional(ID),
    "latest_page_notification_at": Optional(Nullable(DATETIME)),
    "sample_account_ids": ListOf(ID),
    "status_id": Optional(Nullable(ID)),
    "report": Optional(HASH),
    "event": Optional(HASH),
    "moderation_warning": Optional(HASH),
}

GROUPED_NOTIFICATIONS_RESULTS = {
    "accounts": ListOf(ACCOUNT),
    "partial_accounts": Optional(ListOf(HASH)),
    "statuses": ListOf(STATUS),
    "notification_groups": ListOf(NOTIFICATION_GROUP),
}

RELATIONSHIP = {
    "id": ID,
    "following": BOOL,
    "showing_reblogs": BOOL,
    "notifying": BOOL,
    "languages": Nullable(ListOf(STRING)),
    "followed_by": BOOL,
    "blocking": BOOL,
    "blocked_by": BOOL,
    "muting": BOOL,
    "muting_notifications": BOOL,
    "requested": BOOL,
    "requested_by": BOOL,
    "domain_blocking": BOOL,
    "endorsed": BOOL,
    "note": STRING,
}

RULE = {"id": ID, "text": STRING, "hint": STRING}

_STATUSES_CONFIGURATION = {
    "max_characters": INT,
    "max_media_attachments": INT,
    "characters_reserved_per_url": INT,
}
_MEDIA_CONFIGURATION = {
    "supported_mime_types": ListOf(STRING),
    "image_size_limit": INT,
    "image_matrix_limit": INT,
    "video_size_limit": INT,
    "video_frame_rate_limit": INT,
    "video_matrix_limit": INT,
}
_POLLS_CONFIGURATION = {
    "max_options": INT,
    "max_characters_per_option": INT,
    "min_expiration": INT,
    "max_expiration": INT,
}

INSTANCE = {
    "domain": STRING,
    "title": STRING,
    "version": STRING,
    "source_url": URL,
    "description": STRING,
    "usage": {"users": {"active_month": INT}},
    "thumbnail": {"url": URL, "blurhash": Optional(STRING), "versions": Optional(HASH)},
    "icon": ListOf({"src": URL, "size": STRING}),
    "languages": ListOf(STRING),
    "configuration": {
        "urls": {"streaming": WS_URL},
        "vapid": {"public_key": STRING},
        "accounts": {"max_featured_tags": INT, "max_pinned_statuses": INT},
        "statuses": _STATUSES_CONFIGURATION,
        "media_attachments": _MEDIA_CONFIGURATION,
        "polls": _POLLS_CONFIGURATION,
        "translation": {"enabled": BOOL},
    },
    "registrations": {
        "enabled": BOOL,
        "approval_required": BOOL,
        "message": Nullable(STRING),
        "url": Nullable(URL),
    },
    "api_versions": {"mastodon": INT},
    "contact": {"email": STRING, "account": Nullable(ACCOUNT)},
    "rules": ListOf(RULE),
}

V1_INSTANCE = {
    "uri": STRING,
    "title": STRING,
    "short_description": STRING,
    "description": STRING,
    "email": STRING,
    "version": STRING,
    "urls": {"streaming_api": WS_URL},
    "stats": {"user_count": INT, "status_count": INT, "domain_count": INT},
    "thumbnail": Nullable(URL),
    "languages": ListOf(STRING),
    "registrations": BOOL,
    "approval_required": BOOL,
    "invites_enabled": BOOL,
    "configuration": {
        "statuses": _STATUSES_CONFIGURATION,
        "media_attachments": _MEDIA_CONFIGURATION,
        "polls": _POLLS_CONFIGURATION,
    },
    "contact_account": Nullable(ACCOUNT),
    "rules": ListOf(RULE),
}

TOKEN = {"access_token": STRING, "token_type": STRING, "scope": STRING, "created_at": INT}

CONVERSATION = {
    "id": ID,
    "accounts": ListOf(ACCOUNT),
    "unread": BOOL,
    "last_status": Nullable(STATUS),
}

LIST = {
    "id": ID,
    "title": STRING,
    "replies_policy": OneOf("followed", "list", "none"),
    "exclusive": BOOL,
}

MARKER = {"last_read_id": ID, "version": INT, "updated_at": DATETIME}

PREFERENCES = {
    "posting:default:visibility": VISIBILITY,
    "posting:default:sensitive": BOOL,
    "posting:default:language": Nullable(STRING),
    "reading:expand:media": OneOf("default", "show_all", "hide_all"),
    "reading:expand:spoilers": BOOL,
}

TAG_HISTORY = {"day": ID, "uses": ID, "accounts": ID}

TAG = {
    "name": STRING,
    "url": URL,
    "history": ListOf(TAG_HISTORY),
    "following": Optional(BOOL),
}

SEARCH = {"accounts": ListOf(ACCOUNT), "statuses": ListOf(STATUS), "hashtags": ListOf(TAG)}

REPORT = {
    "id": ID,
    "action_taken": BOOL,
    "action_taken_at": Nullable(DATETIME),
    "category": OneOf("spam", "legal", "violation", "other"),
    "comment": STRING,
    "forwarded": BOOL,
    "created_at": DATETIME,
    "status_ids": Nullable(ListOf(ID)),
    "rule_ids": Nullable(ListOf(ID)),
    "target_account": ACCOUNT,
}

ERROR = {"error": STRING, "error_description": Optional(STRING)}


# OpenID Connect's UserInfo as Mastodon 4.4 answers it at /oauth/userinfo.
USERINFO = {
    "iss": URL,
    "sub": URL,
    "name": STRING,
    "preferred_username": STRING,
    "profile": URL,
    "picture": URL,
}
