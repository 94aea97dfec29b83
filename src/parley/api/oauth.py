"""OAuth2 details Mastodon clients rely on."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class MastodonOAuth2Validator(OAuth2Validator):
    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return ["read"]

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        # A token may carry only scopes its app registered (Mastodon's rule); admin
        # scopes additionally need a moderator, checked when the token is used.
        allowed = set(getattr(client, "scopes", "read").split())
        granted = set(scopes)
        return granted <= _expand(allowed)


    def save_bearer_token(self, token, request, *args, **kwargs):
        # Admin scopes are granted only to moderators and admins; anyone else gets the
        # token without them, so the admin API stays closed to members (403).
        user = getattr(request, "user", None)
        if not getattr(user, "is_moderator", False):
            kept = [s for s in str(token.get("scope", "")).split() if not s.startswith("admin")]
            token["scope"] = " ".join(kept)
            request.scopes = kept
        return super().save_bearer_token(token, request, *args, **kwargs)


def _expand(scopes: set[str]) -> set[str]:
    from django.conf import settings

    expanded = set(scopes)
    for scope in settings.MASTODON_SCOPES:
        parent = scope.rsplit(":", 1)[0]
        if parent in scopes:
            expanded.add(scope)
    return expanded


def scope_satisfied(granted: set[str], needed: str) -> bool:
    """``write`` grants ``write:statuses``; ``admin:read`` grants ``admin:read:reports``."""
    if needed in granted:
        return True
    parts = needed.split(":")
    return any(":".join(parts[:i]) in granted for i in range(1, len(parts)))
