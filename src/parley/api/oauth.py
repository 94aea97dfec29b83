"""OAuth2 details Mastodon clients rely on, and the rules Parley adds: PKCE only with S256,
no dangerous redirect URI schemes."""

from __future__ import annotations

from urllib.parse import urlsplit

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2 import Server
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256

from parley.api.models import FORBIDDEN_REDIRECT_SCHEMES
from parley.core.errors import ValidationFailed

OOB = "urn:ietf:wg:oauth:2.0:oob"


class MastodonOAuth2Server(Server):
    """oauthlib's server, with PKCE's ``plain`` method refused: only S256 is advertised, and
    a missing method means ``plain`` (RFC 7636), so a challenge must name S256."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.auth_grant._code_challenge_methods = {"S256": code_challenge_method_s256}


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


def validate_redirect_uris(uris: list[str]) -> None:
    """Redirect URIs an app may register (Mastodon's rules): absolute, no fragment, http(s)
    with a host, the out-of-band URN, or a native app's own scheme, but never a scheme that
    runs or embeds content (``javascript:``, ``data:``, ``vbscript:``, ``file:``)."""
    if not uris:
        raise ValidationFailed("Validation failed: Redirect URI can't be blank")
    for uri in uris:
        problem = _redirect_uri_problem(uri)
        if problem:
            raise ValidationFailed(f"Validation failed: Redirect URI {problem}")


def _redirect_uri_problem(uri: str) -> str:
    if uri == OOB:
        return ""
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in uri):
        return "must not contain spaces or control characters"
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if not scheme:
        return "must be an absolute URI"
    if scheme in FORBIDDEN_REDIRECT_SCHEMES:
        return f"must not use the {scheme}: scheme"
    if "#" in uri:
        return "cannot contain a fragment"
    if scheme in ("http", "https") and not parts.hostname:
        return "must name a host"
    return ""
