"""Followed and featured hashtags, endorsements, account notes, familiar followers, follow
suggestions and the profile directory."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from parley.accounts import selectors as account_selectors
from parley.api.base import (
    AnonymousOr,
    MastodonAPIView,
    page_params,
    paged_response,
    param_bool,
    param_ids,
    param_limit,
    param_offset,
    param_str,
    parse_id,
)
from parley.api.oauth import scope_satisfied
from parley.api.serializers import (
    serialize_accounts,
    serialize_featured_tags,
    serialize_relationships,
    serialize_tags,
)
from parley.core.errors import NotFound, ValidationFailed
from parley.posts import selectors as post_selectors
from parley.posts.models import Tag
from parley.social import selectors as social
from parley.social import services as social_services

# -- hashtags ------------------------------------------------------------------------------


def _shown_tag(name: str) -> Tag:
    """The tag a path names: a valid name not used yet is a tag without history (as Mastodon);
    a name that could not be a hashtag is "Record not found"."""
    normalized = social_services.normalized_tag_name(name)
    if normalized is None:
        raise NotFound("Record not found")
    return social.find_tag(normalized) or Tag(pk=0, name=normalized)


class TagView(MastodonAPIView):
    """GET /api/v1/tags/:name — anyone, with any token (as Mastodon); ``following`` and
    ``featuring`` only for a token that may read the member's follows."""

    scopes = {"GET": None}

    def get(self, request: Request, name: str) -> Response:
        tag = _shown_tag(name)
        token = getattr(request, "auth", None)
        granted = set((getattr(token, "scope", "") or "").split())
        as_member = scope_satisfied(granted, "read:follows")
        data = serialize_tags([tag], request, as_member=as_member)[0]
        if not tag.pk:
            data["id"] = None
        return Response(data)


class TagFollowView(MastodonAPIView):
    """POST /api/v1/tags/:name/follow and unfollow."""

    scopes = {"POST": ("write:follows", "follow")}
    follow = True

    def post(self, request: Request, name: str) -> Response:
        if self.follow:
            tag = social_services.follow_tag(request.user, name)
        else:
            tag = social_services.unfollow_tag(request.user, name)
        return Response(serialize_tags([tag], request)[0])


class FollowedTagsView(MastodonAPIView):
    """GET /api/v1/followed_tags — paged by follow, newest first."""

    scopes = {"GET": ("read:follows", "follow")}

    def get(self, request: Request) -> Response:
        params = page_params(request, default_limit=100)
        follows = post_selectors.paginate(
            social.followed_tags(request.user), **params, cap=200
        )
        data = serialize_tags([f.tag for f in follows], request)
        return paged_response(request, follows, data)


class FeaturedTagsView(MastodonAPIView):
    """GET/POST /api/v1/featured_tags — the caller's featured hashtags."""

    scopes = {"GET": "read:accounts", "POST": "write:accounts"}

    def get(self, request: Request) -> Response:
        featured = social.featured_tags_of(request.user)
        return Response(serialize_featured_tags(request.user, featured, request))

    def post(self, request: Request) -> Response:
        name = param_str(request, "name")
        if not name:
            raise ValidationFailed("Validation failed: Name can't be blank")
        item = social_services.feature_tag(request.user, name)
        return Response(serialize_featured_tags(request.user, [item], request)[0])


class FeaturedTagView(MastodonAPIView):
    """DELETE /api/v1/featured_tags/:id — another member's is "Record not found"."""

    scopes = {"DELETE": "write:accounts"}

    def delete(self, request: Request, featured_tag_id: str) -> Response:
        social_services.unfeature_tag(request.user, int(featured_tag_id))
        return Response({})


class FeaturedTagSuggestionsView(MastodonAPIView):
    """GET /api/v1/featured_tags/suggestions — the caller's most used hashtags not featured."""

    scopes = {"GET": "read:accounts"}

    def get(self, request: Request) -> Response:
        return Response(serialize_tags(social.featured_tag_suggestions(request.user), request))


class AccountFeaturedTagsView(MastodonAPIView):
    """GET /api/v1/accounts/:id/featured_tags — public."""

    scopes = {"GET": AnonymousOr("read:accounts")}

    def get(self, request: Request, account_id: str) -> Response:
        account = account_selectors.get_account(account_id)
        featured = social.featured_tags_of(account)
        return Response(serialize_featured_tags(account, featured, request))


# -- endorsements and notes ----------------------------------------------------------------


class EndorseView(MastodonAPIView):
    """POST /api/v1/accounts/:id/pin and unpin (only accounts the caller follows)."""

    scopes = {"POST": ("write:accounts", "follow")}
    endorse = True

    def post(self, request: Request, account_id: str) -> Response:
        account = account_selectors.get_account(account_id)
        if self.endorse:
            social_services.endorse(request.user, account)
        else:
            social_services.unendorse(request.user, account)
        return Response(serialize_relationships(request.user, [account])[0])


def _endorsements_page(request: Request, owner) -> Response:
    params = page_params(request, default_limit=40)
    page = post_selectors.paginate(social.endorsements_of(owner), **params, cap=80)
    return paged_response(
        request, page, serialize_accounts([e.account for e in page], request)
    )


class EndorsementsView(MastodonAPIView):
    """GET /api/v1/endorsements — the accounts the caller features."""

    scopes = {"GET": "read:accounts"}

    def get(self, request: Request) -> Response:
        return _endorsements_page(request, request.user)


class AccountEndorsementsView(MastodonAPIView):
    """GET /api/v1/accounts/:id/endorsements — the accounts a profile features (public)."""

    scopes = {"GET": AnonymousOr("read:accounts")}

    def get(self, request: Request, account_id: str) -> Response:
        return _endorsements_page(request, account_selectors.get_account(account_id))


class AccountNoteView(MastodonAPIView):
    """POST /api/v1/accounts/:id/note — the caller's private note (``comment``)."""

    scopes = {"POST": "write:accounts"}

    def post(self, request: Request, account_id: str) -> Response:
        account = account_selectors.get_account(account_id)
        social_services.set_note(request.user, account, param_str(request, "comment", "") or "")
        return Response(serialize_relationships(request.user, [account])[0])


# -- finding people ------------------------------------------------------------------------


class FamiliarFollowersView(MastodonAPIView):
    """GET /api/v1/accounts/familiar_followers?id[]= — who of those the caller follows
    follows each account."""

    scopes = {"GET": "read:follows"}

    def get(self, request: Request) -> Response:
        ids = list(dict.fromkeys(param_ids(request, "id") or _json_body_ids(request)))
        if len(ids) > 40:
            raise ValidationFailed("Validation failed: at most 40 ids (id[])")
        shown = {u.pk for u in account_selectors.accounts_by_ids(ids)}
        found = social.familiar_followers(request.user, [pk for pk in ids if pk in shown])
        # Each follower serialised once, with one set of count queries for the page.
        people = {u.pk: u for users in found.values() for u in users}
        serialized = dict(zip(people, serialize_accounts(list(people.values()), request),
                              strict=True))
        return Response([
            {"id": str(pk), "accounts": [serialized[u.pk] for u in found.get(pk, [])]}
            for pk in ids
        ])


def _json_body_ids(request: Request) -> list[int]:
    """``id`` sent in a JSON body of the GET (Mastodon.py does; Rails reads it)."""
    if not request.content_type.startswith("application/json"):
        return []
    raw = request.data.get("id") if isinstance(request.data, dict) else None
    values = raw if isinstance(raw, list) else [] if raw is None else [raw]
    ids = [parse_id(value) for value in values]
    if any(value is None for value in ids):
        raise ValidationFailed("Validation failed: id must be a list of ids")
    return [value for value in ids if value is not None]


class SuggestionsView(MastodonAPIView):
    """GET /api/v2/suggestions (Suggestion entities) and /api/v1/suggestions (accounts)."""

    scopes = {"GET": "read:accounts"}
    version = 2

    def get(self, request: Request) -> Response:
        found = social.suggestions_for(request.user, param_limit(request, 40, 80))
        accounts = serialize_accounts([s.account for s in found], request)
        if self.version == 1:
            return Response(accounts)
        return Response([
            {"source": "global", "sources": s.sources, "account": account}
            for s, account in zip(found, accounts, strict=True)
        ])


class SuggestionView(MastodonAPIView):
    """DELETE /api/v1/suggestions/:account_id — never suggest this account again."""

    scopes = {"DELETE": "write:accounts"}

    def delete(self, request: Request, account_id: str) -> Response:
        account = account_selectors.get_account(account_id)
        social_services.dismiss_suggestion(request.user, account)
        return Response({})


class DirectoryView(MastodonAPIView):
    """GET /api/v1/directory — accounts that opted in (``discoverable``)."""

    scopes = {"GET": AnonymousOr("read:accounts")}

    def get(self, request: Request) -> Response:
        order = param_str(request, "order", "active") or "active"
        if order not in social.DIRECTORY_ORDERS:
            raise ValidationFailed("Validation failed: order must be active or new")
        param_bool(request, "local")  # every account here is local
        users = social.directory(order, param_offset(request), param_limit(request, 40, 80))
        return Response(serialize_accounts(users, request))


class DomainBlocksView(MastodonAPIView):
    """GET /api/v1/domain_blocks — no federation, so no domain is ever blocked."""

    scopes = {"GET": ("read:blocks", "follow")}

    def get(self, request: Request) -> Response:
        return Response([])
