"""How long each text parameter of the API may be, in characters (Mastodon's limits where
Mastodon has one). Services enforce their own rules too (post length, profile length);
this table bounds everything that reaches them, so no text field is unbounded."""

from __future__ import annotations

from django.conf import settings

# Any string parameter not named below.
DEFAULT_TEXT_LIMIT = 5000

TEXT_LIMITS: dict[str, int] = {
    # posts: the character limit is checked by posts.services (URLs count 23); this is the
    # raw cap, in characters, before the service's byte cap.
    "spoiler_text": 1000,
    "language": 16,
    "visibility": 16,
    # profiles and sign-up
    "display_name": 100,
    "note": 500,
    "username": 30,
    "email": 254,
    "password": 128,
    "locale": 16,
    # media
    "description": 1500,
    # reports, notices, appeals, moderation
    "comment": 1000,
    "category": 64,
    "explanation": 5000,
    "url": 2000,
    "text": 2000,
    "reason": 1000,
    "content_warning": 1000,
    # apps
    "client_name": 60,
    "website": 2000,
    "redirect_uris": 2000,
    "scopes": 1000,
    # lists and markers
    "title": 200,
    "replies_policy": 16,
    "timeline": 32,
    # filters
    "keyword": 512,
    "phrase": 512,
    "filter_action": 16,
    "context": 32,
    # lookups
    "q": 500,
    "acct": 300,
    "tagged": 100,
    "type": 32,
}


def text_limit(name: str) -> int:
    if name == "status":
        return settings.PARLEY_MAX_POST_BYTES
    return TEXT_LIMITS.get(name.removesuffix("[]"), DEFAULT_TEXT_LIMIT)
