"""Apps, instance metadata, search, reports, and small endpoints clients expect."""

from __future__ import annotations

import secrets

from django.conf import settings
from oauth2_provider.models import get_application_model
from rest_framework.request import Request
from rest_framework.response import Response

import parley
from parley.accounts import selectors as account_selectors
from parley.accounts.models import User
from parley.api.base import (
    AnonymousOr,
    MastodonAPIView,
    id_or_404,
    param_bool,
    param_ids,
    param_limit,
    param_list,
    param_offset,
    param_raw,
    param_str,
    parse_id,
    viewer,
)
from parley.api.oauth import validate_redirect_uris
from parley.api.serializers import (
    serialize_account,
    serialize_accounts,
    serialize_markers,
    serialize_statuses,
    serialize_tags,
)
from parley.core import ratelimits
from parley.core.errors import NotAllowed, ValidationFailed
from parley.core.replicas import reads_from_replica
from parley.posts import polls
from parley.posts import services as post_services
from parley.streaming.selectors import instance_streaming_url
from parley.timelines import selectors as timeline_selectors
from parley.timelines import services as timeline_services
from parley.timelines.models import MarkerTimeline

MASTODON_VERSION = f"4.3.0 (compatible; Parley {parley.__version__})"


def _app_entity(app, request, with_secret: bool) -> dict:
    data = {
        "id": str(app.pk),
        "name": app.name,
        "website": app.website or None,
        "scopes": app.scopes.split(),
        "redirect_uri": app.redirect_uris.split()[0] if app.redirect_uris else "",
        "redirect_uris": app.redirect_uris.split(),
        "vapid_key": "",
    }
    if with_secret:
        data["client_id"] = app.client_id
        data["client_secret"] = app._plain_client_secret
        # Mastodon 4.3: 0, the secret never expires.
        data["client_secret_expires_at"] = 0
    return data


class AppsView(MastodonAPIView):
    scopes = {"POST": None}

    def post(self, request: Request) -> Response:
        ratelimits.hit("app_ip", ratelimits.client_ip(request))
        name = (param_str(request, "client_name", "") or "").strip()
        redirect = param_str(request, "redirect_uris", "") or ""
        if (
            isinstance(param_list(request, "redirect_uris"), list)
            and len(param_list(request, "redirect_uris")) > 1
        ):
            redirect = " ".join(param_list(request, "redirect_uris"))
        if not name:
            raise ValidationFailed("Validation failed: Application name can't be blank")
        redirect_uris = redirect.split()
        validate_redirect_uris(redirect_uris)
        scope_text = param_str(request, "scopes", "read") or "read"
        scope_list = (
            scope_text.split()
            if " " in scope_text or not param_list(request, "scopes")
            else param_list(request, "scopes")
        )
        unknown = set(scope_list) - set(settings.MASTODON_SCOPES)
        if unknown:
            raise ValidationFailed(f"Validation failed: unknown scopes {sorted(unknown)}")
        secret = secrets.token_urlsafe(32)
        Application = get_application_model()
        app = Application(
            name=name[:255],
            redirect_uris=" ".join(redirect_uris),
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            client_secret=secret,
            skip_authorization=False,
            scopes=" ".join(scope_list),
            website=(param_str(request, "website", "") or "")[:500],
            algorithm="",
        )
        app.save()
        app._plain_client_secret = secret
        return Response(_app_entity(app, request, with_secret=True))


class AppVerifyView(MastodonAPIView):
    scopes = {"GET": None}

    def get(self, request: Request) -> Response:
        token = getattr(request, "auth", None)
        if token is None or token.application is None:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        return Response(_app_entity(token.application, request, with_secret=False))


def _rules() -> list[dict]:
    from parley.safety.cases.selectors import instance_rules

    return [
        {"id": str(r.pk), "text": r.text, "hint": getattr(r, "hint", "")} for r in instance_rules()
    ]


def _registrations() -> dict:
    mode = settings.PARLEY_REGISTRATIONS
    return {"enabled": mode != "closed", "approval_required": mode == "approval", "message": None,
            # Mastodon 4.2: where to sign up when it is elsewhere (here: the API and web).
            "url": None}


def _instance_contact(request) -> dict | None:
    admin = User.objects.filter(role="admin", is_active=True).order_by("id").first()
    return serialize_account(admin, request) if admin else None


class InstanceV1View(MastodonAPIView):
    scopes = {"GET": None}

    def get(self, request: Request) -> Response:
        from parley.posts.models import Post

        registrations = _registrations()
        return Response(
            {
                "uri": settings.PARLEY_DOMAIN,
                "title": settings.PARLEY_INSTANCE_TITLE,
                "short_description": "A Parley community",
                "description": "A microblogging community with trust & safety built in.",
                "email": settings.PARLEY_CONTACT_EMAIL,
                "version": MASTODON_VERSION,
                "urls": {"streaming_api": instance_streaming_url(request)},
                "stats": {
                    "user_count": account_selectors.active_accounts().count(),
                    "status_count": Post.objects.filter(state="published").count(),
                    "domain_count": 1,
                },
                "thumbnail": None,
                "languages": ["en"],
                "registrations": registrations["enabled"],
                "approval_required": registrations["approval_required"],
                "invites_enabled": False,
                "configuration": _configuration(),
                "contact_account": _instance_contact(request),
                "rules": _rules(),
            }
        )


def _configuration() -> dict:
    return {
        "accounts": {"max_featured_tags": 0},
        "statuses": {
            "max_characters": settings.PARLEY_MAX_POST_CHARS,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "image_size_limit": settings.PARLEY_MAX_MEDIA_BYTES,
            "image_matrix_limit": settings.PARLEY_MEDIA_MATRIX_LIMIT,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": polls.MAX_OPTIONS,
            "max_characters_per_option": polls.MAX_OPTION_CHARS,
            "min_expiration": polls.MIN_EXPIRATION,
            "max_expiration": polls.MAX_EXPIRATION,
        },
        "translation": {"enabled": False},
    }


class InstanceV2View(MastodonAPIView):
    scopes = {"GET": None}

    def get(self, request: Request) -> Response:
        registrations = _registrations()
        return Response(
            {
                "domain": settings.PARLEY_DOMAIN,
                "title": settings.PARLEY_INSTANCE_TITLE,
                "version": MASTODON_VERSION,
                "source_url": "https://example.org/parley",
                "description": "A microblogging community with trust & safety built in.",
                "usage": {"users": {"active_month": account_selectors.active_accounts().count()}},
                "thumbnail": {"url": request.build_absolute_uri("/static/web/header.svg")},
                # Mastodon 4.3: app icons in several sizes; Parley has none (apps fall back).
                "icon": [],
                "languages": ["en"],
                "configuration": {
                    **_configuration(),
                    "accounts": {"max_featured_tags": 0,
                                 "max_pinned_statuses": post_services.MAX_PINNED_POSTS},
                    "urls": {"streaming": instance_streaming_url(request)},
                    "vapid": {"public_key": ""},
                },
                "registrations": registrations,
                "api_versions": {"mastodon": 2},
                "contact": {
                    "email": settings.PARLEY_CONTACT_EMAIL,
                    "account": _instance_contact(request),
                },
                "rules": _rules(),
            }
        )


class InstanceRulesView(MastodonAPIView):
    scopes = {"GET": None}

    def get(self, request: Request) -> Response:
        return Response(_rules())


class EmptyListView(MastodonAPIView):
    """Endpoints Parley has no data for yet, answered as Mastodon would with nothing.
    Each route passes the scope Mastodon asks for there (``as_view(scopes=...)``)."""

    scopes = {"GET": None}

    def get(self, request: Request) -> Response:
        return Response([])


def _marker_positions(request: Request) -> dict[str, int]:
    """``{"home": {"last_read_id": "5"}}`` in JSON, or ``home[last_read_id]=5`` in a form;
    other timelines are ignored, as Mastodon does."""
    positions: dict[str, int] = {}
    for timeline in MarkerTimeline.values:
        given = param_raw(request, timeline)
        if given is not None and not isinstance(given, dict):
            raise ValidationFailed(f"Validation failed: {timeline} must name last_read_id")
        raw = given.get("last_read_id") if given else param_raw(
            request, f"{timeline}[last_read_id]")
        if given is None and raw is None:
            continue
        value = parse_id(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else None
        if value is None:
            raise ValidationFailed(f"Validation failed: {timeline}[last_read_id] must be an id")
        positions[timeline] = value
    return positions


class MarkersView(MastodonAPIView):
    scopes = {"GET": "read:statuses", "POST": "write:statuses"}

    def get(self, request: Request) -> Response:
        markers = timeline_selectors.markers_of(request.user, param_list(request, "timeline"))
        return Response(serialize_markers(markers))

    def post(self, request: Request) -> Response:
        saved = timeline_services.save_markers(request.user, _marker_positions(request))
        return Response(serialize_markers(saved))


class PreferencesView(MastodonAPIView):
    """The member's posting defaults, which ``create_post`` applies (media is sensitive too
    when moderators marked the account so), and Mastodon's reading defaults."""

    scopes = {"GET": "read:accounts"}

    def get(self, request: Request) -> Response:
        return Response(
            {
                "posting:default:visibility": request.user.posting_visibility,
                "posting:default:sensitive": (request.user.posting_sensitive
                                              or request.user.sensitized),
                "posting:default:language": request.user.posting_language or None,
                "reading:expand:media": "default",
                "reading:expand:spoilers": False,
            }
        )


class SearchView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:search")}

    @reads_from_replica
    def get(self, request: Request) -> Response:
        query = (param_str(request, "q", "") or "").strip()
        kind = param_str(request, "type")
        limit = param_limit(request, 20, 40)
        offset = param_offset(request)
        user = viewer(request)
        result: dict = {"accounts": [], "statuses": [], "hashtags": []}
        if not query:
            return Response(result)
        if kind in (None, "accounts"):
            users = list(account_selectors.search_accounts(query, limit + offset))[offset:]
            result["accounts"] = serialize_accounts(users, request)
        if kind in (None, "hashtags"):
            from parley.posts.search import search_hashtags

            # Tag entities: the week's history, and whether the member follows each.
            result["hashtags"] = serialize_tags(search_hashtags(query.lstrip("#"), limit),
                                                request)
        if kind in (None, "statuses") and user is not None:
            from parley.posts.search import search_posts

            posts = search_posts(query, user, limit=limit, offset=offset)
            result["statuses"] = serialize_statuses(posts, request)
        return Response(result)


class ReportsView(MastodonAPIView):
    scopes = {"POST": "write:reports"}

    def post(self, request: Request) -> Response:
        ratelimits.hit("report_account", request.user.pk)
        from parley.safety.cases.services import file_member_report

        account = account_selectors.get_account(id_or_404(param_str(request, "account_id", "")))
        if account.pk == request.user.pk:
            raise NotAllowed("You cannot report yourself")
        from parley.posts import selectors as post_selectors

        posts = [
            post_selectors.get_post(id_or_404(pk), request.user)
            for pk in param_list(request, "status_ids")
        ]
        if any(p.author_id != account.pk for p in posts):
            raise ValidationFailed("Validation failed: statuses must belong to the account")
        category = param_str(request, "category", "other") or "other"
        if category not in {"spam", "legal", "violation", "other"}:
            raise ValidationFailed(f"Validation failed: unknown category {category!r}")
        rule_ids = param_ids(request, "rule_ids")
        notice = file_member_report(
            request.user,
            account,
            posts,
            category,
            comment=param_str(request, "comment", "") or "",
            rule_ids=rule_ids,
        )
        return Response(
            {
                "id": str(notice.pk),
                "action_taken": False,
                "action_taken_at": None,
                "category": category,
                "comment": param_str(request, "comment", "") or "",
                "forwarded": param_bool(request, "forward"),
                "created_at": notice.created_at.isoformat().replace("+00:00", "Z"),
                "status_ids": [str(p.pk) for p in posts] or None,
                "rule_ids": [str(r) for r in notice.rule_ids] or None,
                "target_account": serialize_account(account, request),
            }
        )
