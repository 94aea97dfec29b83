"""OAuth2 client applications as Mastodon registers them (one app, several grant types)."""

from __future__ import annotations

from django.db import models
from oauth2_provider.models import AbstractApplication

MASTODON_GRANT_TYPES = {"authorization-code", "password", "client-credentials", "refresh_token"}
# Schemes that run or embed content where a browser follows them; never a redirect URI.
FORBIDDEN_REDIRECT_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})


class MastodonApp(AbstractApplication):
    """A client app registered through ``POST /api/v1/apps``.

    Mastodon lets one app use the authorization-code, password and client-credentials
    grants, where django-oauth-toolkit's default model allows exactly one."""

    scopes = models.CharField(max_length=500, default="read")
    website = models.URLField(blank=True, max_length=500)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    def allows_grant_type(self, *grant_types: str) -> bool:
        return bool(set(grant_types) & MASTODON_GRANT_TYPES)

    def get_allowed_schemes(self) -> list[str]:
        """http(s), the out-of-band URN, and a native app's own registered schemes
        (``myapp://callback``), as Mastodon allows; never a forbidden one."""
        registered = {uri.split(":", 1)[0].lower() for uri in self.redirect_uris.split()}
        return sorted(({"http", "https", "urn"} | registered) - FORBIDDEN_REDIRECT_SCHEMES)
