"""Accounts: credentials, profiles, relations, sign-up, lookups and lists."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response

from parley.accounts import selectors as account_selectors
from parley.accounts import services as account_services
from parley.accounts.models import Block, User
from parley.api.base import (
    AnonymousOr,
    MastodonAPIView,
    Needed,
    page_params,
    paged_response,
    param_bool,
    param_fetch_ids,
    param_int,
    param_limit,
    param_list,
    param_raw,
    param_str,
    parse_id,
    viewer,
)
from parley.api.filtering import filtered_statuses_response
from parley.api.serializers import (
    iso,
    serialize_account,
    serialize_accounts,
    serialize_relationships,
)
from parley.core import ratelimits
from parley.core.errors import NotAllowed, ValidationFailed
from parley.posts import selectors as post_selectors
from parley.posts.viewcounts import record_views
from parley.web import links


class VerifyCredentialsView(MastodonAPIView):
    scopes = {"GET": ("read:accounts", "profile")}

    def get(self, request: Request) -> Response:
        return Response(serialize_account(request.user, request, with_source=True))


class UpdateCredentialsView(MastodonAPIView):
    scopes = {"PATCH": "write:accounts"}

    def patch(self, request: Request) -> Response:
        user = account_services.update_profile(
            request.user,
            display_name=param_str(request, "display_name"),
            bio=param_str(request, "note"),
            avatar=request.FILES.get("avatar"),
            header=request.FILES.get("header"),
            locked=param_bool(request, "locked") if param_str(request, "locked") else None,
            bot=param_bool(request, "bot") if param_str(request, "bot") else None,
            **_source_params(request),
            discoverable=(
                param_bool(request, "discoverable") if param_str(request, "discoverable")
                else None
            ),
        )
        return Response(serialize_account(user, request, with_source=True))


BOOLEAN_WORDS = {"1": True, "true": True, "0": False, "false": False}


def _source_params(request: Request) -> dict:
    """The posting defaults of ``source[privacy]``, ``source[sensitive]``, ``source[language]``
    (form fields, or a ``source`` object in JSON); those not given stay as they are."""
    source = param_raw(request, "source")
    source = source if isinstance(source, dict) else {}

    def given(key: str):
        value = source.get(key, param_raw(request, f"source[{key}]"))
        if value is not None and not isinstance(value, str | bool):
            raise ValidationFailed(f"Validation failed: source[{key}] is not valid")
        return value

    privacy, sensitive, language = given("privacy"), given("sensitive"), given("language")
    if isinstance(sensitive, str):
        if sensitive.strip().lower() not in BOOLEAN_WORDS:
            raise ValidationFailed("Validation failed: source[sensitive] must be a boolean")
        sensitive = BOOLEAN_WORDS[sensitive.strip().lower()]
    for name, value in (("privacy", privacy), ("language", language)):
        if isinstance(value, bool):
            raise ValidationFailed(f"Validation failed: source[{name}] must be a string")
    return {"posting_visibility": privacy, "posting_sensitive": sensitive,
            "posting_language": language}


class RegisterAccountView(MastodonAPIView):
    """POST /api/v1/accounts — sign-up from an app (needs an app token in Mastodon);
    GET — several accounts at once (``id[]``), those not shown to others left out."""

    scopes = {"GET": AnonymousOr("read:accounts"), "POST": None}

    def get(self, request: Request) -> Response:
        users = account_selectors.accounts_by_ids(param_fetch_ids(request))
        return Response(serialize_accounts(users, request))

    def post(self, request: Request) -> Response:
        if not param_bool(request, "agreement"):
            raise ValidationFailed("Validation failed: Agreement must be accepted")
        user = account_services.register_member_from_ip(
            ratelimits.client_ip(request),
            param_str(request, "username", "") or "",
            param_str(request, "email", "") or "",
            param_str(request, "password", "") or "",
            reason=param_str(request, "reason", "") or "",
            site_url=links.site_url(request),
        )
        if not user.email_confirmed:
            # No token until the address is confirmed: nothing could use it before then.
            return Response(
                {
                    "error": "Your account was created. Confirm your email address "
                    "with the link we sent you, then log in."
                },
                status=403,
            )
        if not user.is_approved:
            return Response({"error": "Your account is awaiting approval"}, status=403)
        from oauth2_provider.models import get_access_token_model
        from oauth2_provider.settings import oauth2_settings

        token = get_access_token_model().objects.create(
            user=user,
            application=getattr(request.auth, "application", None),
            token=oauth2_settings.ACCESS_TOKEN_GENERATOR or _random_token(),
            expires=_expiry(),
            scope="read write follow push",
        )
        return Response(
            {
                "access_token": token.token,
                "token_type": "Bearer",
                "scope": token.scope,
                "created_at": int(token.created.timestamp()),
            }
        )


def _random_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _expiry():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(
        seconds=settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"]
    )


class AccountView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:accounts")}

    def get(self, request: Request, account_id: str) -> Response:
        return Response(serialize_account(account_selectors.get_account(account_id), request))


class AccountLookupView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:accounts")}

    def get(self, request: Request) -> Response:
        acct = param_str(request, "acct", "") or ""
        return Response(serialize_account(account_selectors.get_account_by_username(acct), request))


class AccountSearchView(MastodonAPIView):
    scopes = {"GET": "read:accounts"}

    def get(self, request: Request) -> Response:
        users = list(
            account_selectors.search_accounts(
                param_str(request, "q", "") or "", param_limit(request, 40, 80)
            )
        )
        return Response(serialize_accounts(users, request))


class AccountStatusesView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:statuses")}

    def get(self, request: Request, account_id: str) -> Response:
        account = account_selectors.get_account(account_id)
        queryset = post_selectors.account_posts(
            account,
            viewer(request),
            exclude_replies=param_bool(request, "exclude_replies"),
            exclude_reblogs=param_bool(request, "exclude_reblogs"),
            only_media=param_bool(request, "only_media"),
            tagged=param_str(request, "tagged"),
            pinned=param_bool(request, "pinned"),
        )
        response, shown = filtered_statuses_response(request, queryset, "account")
        record_views(viewer(request), shown)
        return response


class AccountRelationListView(MastodonAPIView):
    """GET /accounts/:id/followers and /following."""

    scopes = {"GET": AnonymousOr("read:accounts")}
    relation = "followers"

    def get(self, request: Request, account_id: str) -> Response:
        account = account_selectors.get_account(account_id)
        if self.relation == "followers":
            queryset = account_selectors.followers_of(account)
        else:
            queryset = account_selectors.followed_by(account)
        limit = param_limit(request, 40, 80)
        max_id = param_int(request, "max_id")
        if max_id:
            queryset = queryset.filter(pk__lt=max_id)
        users = list(queryset.order_by("-id")[:limit])
        return paged_response(request, users, serialize_accounts(users, request))


ACTION_SCOPES = {
    "follow": "write:follows",
    "unfollow": "write:follows",
    "block": "write:blocks",
    "unblock": "write:blocks",
    "mute": "write:mutes",
    "unmute": "write:mutes",
}


class AccountActionView(MastodonAPIView):
    """POST /accounts/:id/{follow,unfollow,block,unblock,mute,unmute}."""

    action = ""

    @property
    def scopes(self) -> dict[str, Needed]:
        # Mastodon: the legacy ``follow`` scope, or write:follows / write:blocks / write:mutes
        return {"POST": (ACTION_SCOPES.get(self.action, "follow"), "follow")}

    def post(self, request: Request, account_id: str) -> Response:
        target = account_selectors.get_account(account_id)
        me = request.user
        if self.action == "follow":
            ratelimits.hit("follow_account", me.pk)
            account_services.follow(me, target)
        elif self.action == "unfollow":
            account_services.unfollow(me, target)
        elif self.action == "block":
            account_services.block(me, target)
        elif self.action == "unblock":
            account_services.unblock(me, target)
        elif self.action == "mute":
            account_services.mute(
                me, target, param_bool(request, "notifications", True),
                duration=param_int(request, "duration", 0) or 0,
            )
        elif self.action == "unmute":
            account_services.unmute(me, target)
        return Response(serialize_relationships(me, [target])[0])


class RelationshipsView(MastodonAPIView):
    scopes = {"GET": "read:follows"}

    def get(self, request: Request) -> Response:
        ids = [i for i in map(parse_id, param_list(request, "id")) if i is not None]
        users = list(account_selectors.active_accounts().filter(pk__in=ids))
        users.sort(key=lambda u: ids.index(u.pk))
        return Response(serialize_relationships(request.user, users))


class BlockListView(MastodonAPIView):
    scopes = {"GET": ("read:blocks", "follow")}

    def get(self, request: Request) -> Response:
        users = [
            b.blocked
            for b in Block.objects.filter(blocker=request.user)
            .select_related("blocked")
            .order_by("-id")[:80]
        ]
        return Response(serialize_accounts(users, request))


class MuteListView(MastodonAPIView):
    scopes = {"GET": ("read:mutes", "follow")}

    def get(self, request: Request) -> Response:
        params = page_params(request, default_limit=40)
        mutes = post_selectors.paginate(
            account_selectors.mutes_of(request.user), **params, cap=80
        )
        data = serialize_accounts([m.muted for m in mutes], request)
        for account, mute in zip(data, mutes, strict=True):
            account["mute_expires_at"] = iso(mute.expires_at)
        return paged_response(request, mutes, data)


def ensure_member(user: User) -> None:
    if not user.is_approved:
        raise NotAllowed("Your account is awaiting approval")


class FollowRequestsView(MastodonAPIView):
    """GET /api/v1/follow_requests — who asks to follow the caller, paged by request."""

    scopes = {"GET": ("read:follows", "follow")}

    def get(self, request: Request) -> Response:
        params = page_params(request, default_limit=40)
        pending = post_selectors.paginate(
            account_selectors.follow_requests_for(request.user), **params, cap=80
        )
        users = [item.requester for item in pending]
        return paged_response(request, pending, serialize_accounts(users, request))


class FollowRequestAnswerView(MastodonAPIView):
    """POST /api/v1/follow_requests/:account_id/{authorize,reject}."""

    scopes = {"POST": ("write:follows", "follow")}
    authorize = True

    def post(self, request: Request, account_id: str) -> Response:
        requester = account_selectors.get_account(account_id)
        if self.authorize:
            account_services.authorize_follow_request(request.user, requester)
        else:
            account_services.reject_follow_request(request.user, requester)
        return Response(serialize_relationships(request.user, [requester])[0])
