"""Lists: a member's groups of followed accounts, their members and their timelines."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from parley.accounts import selectors as account_selectors
from parley.api.base import (
    MastodonAPIView,
    page_params,
    paged_response,
    param_bool,
    param_ids,
    param_int,
    param_raw,
    param_str,
)
from parley.api.filtering import filtered_statuses_response
from parley.api.serializers import serialize_accounts, serialize_list
from parley.core.replicas import reads_from_replica
from parley.posts import selectors as post_selectors
from parley.timelines import selectors, services

READ, WRITE = "read:lists", "write:lists"


def _optional_bool(request: Request, name: str) -> bool | None:
    return param_bool(request, name) if param_raw(request, name) not in (None, "") else None


class ListsView(MastodonAPIView):
    scopes = {"GET": READ, "POST": WRITE}

    def get(self, request: Request) -> Response:
        return Response([serialize_list(a) for a in selectors.lists_of(request.user)])

    def post(self, request: Request) -> Response:
        created = services.create_list(
            request.user,
            param_str(request, "title", "") or "",
            replies_policy=param_str(request, "replies_policy") or None,
            exclusive=param_bool(request, "exclusive"),
        )
        return Response(serialize_list(created))


class ListView(MastodonAPIView):
    scopes = {"GET": READ, "PUT": WRITE, "DELETE": WRITE}

    def get(self, request: Request, list_id: str) -> Response:
        return Response(serialize_list(selectors.get_list(request.user, list_id)))

    def put(self, request: Request, list_id: str) -> Response:
        updated = services.update_list(
            selectors.get_list(request.user, list_id),
            title=param_str(request, "title"),
            replies_policy=param_str(request, "replies_policy") or None,
            exclusive=_optional_bool(request, "exclusive"),
        )
        return Response(serialize_list(updated))

    def delete(self, request: Request, list_id: str) -> Response:
        services.delete_list(selectors.get_list(request.user, list_id))
        return Response({})


class ListAccountsView(MastodonAPIView):
    """Members of a list; ``limit=0`` answers all of them unpaged, as Mastodon does."""

    scopes = {"GET": READ, "POST": WRITE, "DELETE": WRITE}

    def get(self, request: Request, list_id: str) -> Response:
        entries = selectors.list_memberships(selectors.get_list(request.user, list_id))
        if param_int(request, "limit") == 0:
            members = [e.account for e in entries.order_by("-id")]
            return Response(serialize_accounts(members, request))
        params = page_params(request, default_limit=40)
        page = post_selectors.paginate(entries, **params, cap=80)
        return paged_response(request, page, serialize_accounts([e.account for e in page], request))

    def post(self, request: Request, list_id: str) -> Response:
        a_list = selectors.get_list(request.user, list_id)
        services.add_to_list(a_list, param_ids(request, "account_ids"))
        return Response({})

    def delete(self, request: Request, list_id: str) -> Response:
        a_list = selectors.get_list(request.user, list_id)
        services.remove_from_list(a_list, param_ids(request, "account_ids"))
        return Response({})


class ListTimelineView(MastodonAPIView):
    scopes = {"GET": READ}

    @reads_from_replica
    def get(self, request: Request, list_id: str) -> Response:
        a_list = selectors.get_list(request.user, list_id)
        # Mastodon applies "home" filters to lists.
        response, _ = filtered_statuses_response(request, selectors.list_timeline(a_list), "home")
        return response


class AccountListsView(MastodonAPIView):
    """The caller's lists the account is on."""

    scopes = {"GET": READ}

    def get(self, request: Request, account_id: str) -> Response:
        account = account_selectors.get_account(account_id)
        lists = selectors.lists_containing(request.user, account)
        return Response([serialize_list(a) for a in lists])
