"""OAuth2 endpoints at Mastodon's paths, on django-oauth-toolkit."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as oauth_views
from oauth2_provider.models import get_grant_model
from rest_framework.request import Request
from rest_framework.response import Response

from parley.accounts.selectors import login_limit_key
from parley.api.base import MastodonAPIView
from parley.api.serializers import absolute_url, avatar_path, base_url
from parley.core import ratelimits
from parley.core.errors import RateLimited


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(oauth_views.TokenView):
    """Mastodon's token response also carries ``created_at``; JSON bodies are accepted."""

    def post(self, request: HttpRequest, *args, **kwargs):
        if request.content_type == "application/json" and request.body:
            try:
                payload = json.loads(request.body)
            except ValueError:
                return JsonResponse(
                    {"error": "invalid_request", "error_description": "Malformed JSON"}, status=400
                )
            request.POST = _as_querydict(payload)
        try:
            _count_token_request(request)
        except RateLimited as exc:
            return JsonResponse({"error": exc.message}, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 200 and request.POST.get("grant_type") == "authorization_code":
            _invalidate_code(request.POST.get("code"))
        if response.status_code == 200:
            data = json.loads(response.content)
            data.setdefault("created_at", int(__import__("time").time()))
            response.content = json.dumps(data).encode()
        return response


def _count_token_request(request: HttpRequest) -> None:
    """Tokens one IP may ask for; a password grant is a login, limited per IP and per
    account like the web login (the same buckets and keys)."""
    ip = ratelimits.client_ip(request)
    ratelimits.hit("token_ip", ip)
    if request.POST.get("grant_type") == "password":
        ratelimits.hit("login_ip", ip)
        ratelimits.hit("login_account", login_limit_key(request.POST.get("username")))


def _invalidate_code(code: str | None) -> None:
    """One failed exchange (a wrong code_verifier, client or redirect URI) spends the code:
    whoever holds it does not get to guess again (RFC 6749 4.1.2: single use)."""
    if code:
        get_grant_model().objects.filter(code=code).delete()


def _as_querydict(payload: dict):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in payload.items():
        if isinstance(value, list):
            query.setlist(key, [str(v) for v in value])
        else:
            query[key] = str(value)
    return query


@method_decorator(csrf_exempt, name="dispatch")
class RevokeTokenView(oauth_views.RevokeTokenView):
    def post(self, request: HttpRequest, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            return JsonResponse({})
        return response


class AuthorizationView(oauth_views.AuthorizationView):
    template_name = "api/authorize.html"


def authorization_server_metadata(request: HttpRequest) -> JsonResponse:
    root = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        {
            "issuer": root + "/",
            "service_documentation": root + "/api/docs",
            "authorization_endpoint": root + "/oauth/authorize",
            "token_endpoint": root + "/oauth/token",
            "revocation_endpoint": root + "/oauth/revoke",
            "userinfo_endpoint": root + "/oauth/userinfo",
            "app_registration_endpoint": root + "/api/v1/apps",
            "scopes_supported": settings.MASTODON_SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": [
                "authorization_code",
                "password",
                "client_credentials",
                "refresh_token",
            ],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


class UserinfoView(MastodonAPIView):
    """OpenID Connect's UserInfo for the token's member, as Mastodon 4.4 answers it (the
    ``profile`` scope; GET or POST)."""

    scopes = {"GET": "profile", "POST": "profile"}

    def get(self, request: Request) -> Response:
        user, root = request.user, base_url(request)
        return Response({
            "iss": root + "/",
            # The account's URI and page, as on the Account entity.
            "sub": f"{root}/users/{user.username}",
            "name": user.display_name,
            "preferred_username": user.username,
            "profile": f"{root}/@{user.username}",
            "picture": absolute_url(request, avatar_path(user)),
        })

    post = get
