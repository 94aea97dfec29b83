"""Grouped notifications (Mastodon 4.3's /api/v2/notifications) and unread counts."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from parley.accounts.selectors import accounts_by_ids
from parley.api.base import (
    MastodonAPIView,
    link_header,
    page_params,
    param_limit,
    param_list,
    param_str,
    parse_id,
)
from parley.api.serializers import iso, serialize_accounts, serialize_notifications
from parley.core.errors import NotFound, ValidationFailed
from parley.filters.selectors import NO_FILTERS, ViewerFilters, active_filters
from parley.notifications import selectors as notifications
from parley.notifications import services as notification_services
from parley.notifications.models import GROUPED_KINDS
from parley.notifications.selectors import NotificationGroup
from parley.timelines import selectors as timelines

# What a group carries over from its newest notification, besides type and status.
EXTRA_FIELDS = ("moderation_warning", "outcome")


def notification_filters(request: Request) -> dict[str, Any]:
    """``types[]``, ``exclude_types[]`` and ``account_id`` (only those from that account)."""
    return {"types": param_list(request, "types") or None,
            "exclude_types": param_list(request, "exclude_types") or None,
            "account_id": param_account_id(request)}


def param_account_id(request: Request) -> int | None:
    raw = param_str(request, "account_id")
    if raw in (None, ""):
        return None
    account_id = parse_id(raw)
    if account_id is None:
        raise ValidationFailed("Validation failed: account_id must be an id")
    return account_id


def _grouped_types(request: Request) -> list[str]:
    asked = param_list(request, "grouped_types")
    return asked if asked else list(GROUPED_KINDS)


def serialize_groups(groups: list[NotificationGroup], request,
                     filters: ViewerFilters = NO_FILTERS) -> dict[str, Any]:
    """Mastodon's GroupedNotificationsResults: groups, with their accounts and statuses once.
    ``filters`` (the viewer's ``notifications`` filters) mark statuses in ``filtered``; a
    group whose status a hide filter matches is left out."""
    entries = {entry["id"]: entry for entry in
               serialize_notifications([g.latest for g in groups], request, filters)}
    accounts: dict[str, dict] = {}
    statuses: dict[str, dict] = {}
    out = []
    for group in groups:
        entry = entries.get(str(group.latest.pk))
        if entry is None:
            continue
        sample = [str(pk) for pk in group.sample_actor_ids]
        if group.key.startswith("ungrouped-"):
            sample = [entry["account"]["id"]]  # as v1 shows it (the instance for decisions)
            accounts[entry["account"]["id"]] = entry["account"]
        if entry["status"] is not None:
            statuses[entry["status"]["id"]] = entry["status"]
        item = {
            "group_key": group.key,
            "notifications_count": group.count,
            "type": entry["type"],
            "most_recent_notification_id": entry["id"],
            "page_min_id": str(group.page_min_id),
            "page_max_id": str(group.page_max_id),
            "latest_page_notification_at": iso(group.latest.created_at),
            "sample_account_ids": sample,
            "status_id": entry["status"]["id"] if entry["status"] else None,
        }
        item.update({k: entry[k] for k in EXTRA_FIELDS if k in entry})
        out.append(item)
    wanted = {int(pk) for g in out for pk in g["sample_account_ids"]} - {int(k) for k in accounts}
    for data in serialize_accounts(accounts_by_ids(sorted(wanted)), request):
        accounts[data["id"]] = data
    return {"accounts": list(accounts.values()), "statuses": list(statuses.values()),
            "notification_groups": out}


class GroupedNotificationsView(MastodonAPIView):
    """GET /api/v2/notifications — a page of groups, newest first; Link headers page by the
    groups' newest notifications (a long group may show again, older, on the next page)."""

    scopes = {"GET": "read:notifications"}

    def get(self, request: Request) -> Response:
        keyed = notifications.with_group_keys(
            notifications.notifications_for(request.user, **notification_filters(request)),
            _grouped_types(request),
        )
        heads = notifications.group_heads(keyed, **page_params(request, default_limit=40))
        groups = notifications.notification_groups(keyed, heads)
        filters = active_filters(request.user, "notifications")
        # Paged by what was read, so a page thinned by hide filters still leads on.
        response = Response(serialize_groups(groups, request, filters))
        link = link_header(request, heads, id_of=lambda row: row["head"])
        if link:
            response["Link"] = link
        return response


def _one_group(request: Request, group_key: str) -> NotificationGroup:
    keyed = notifications.with_group_keys(notifications.notifications_for(request.user))
    heads = notifications.group_heads(keyed.filter(key=group_key), limit=1)
    if not heads:
        raise NotFound("Record not found")
    return notifications.notification_groups(keyed, heads)[0]


class NotificationGroupView(MastodonAPIView):
    """GET /api/v2/notifications/:group_key — one of the member's groups, whole."""

    scopes = {"GET": "read:notifications"}

    def get(self, request: Request, group_key: str) -> Response:
        group = _one_group(request, group_key)
        filters = active_filters(request.user, "notifications")
        return Response(serialize_groups([group], request, filters))


class NotificationGroupAccountsView(MastodonAPIView):
    """GET /api/v2/notifications/:group_key/accounts — everyone in the group, newest first."""

    scopes = {"GET": "read:notifications"}

    def get(self, request: Request, group_key: str) -> Response:
        _one_group(request, group_key)
        actor_ids = notifications.group_actor_ids(
            notifications.with_group_keys(notifications.notifications_for(request.user)),
            group_key,
        )
        by_id = {u.pk: u for u in accounts_by_ids(actor_ids)}
        return Response(serialize_accounts([by_id[pk] for pk in actor_ids if pk in by_id],
                                           request))


class NotificationGroupDismissView(MastodonAPIView):
    """POST /api/v2/notifications/:group_key/dismiss — every notification of the group."""

    scopes = {"POST": "write:notifications"}

    def post(self, request: Request, group_key: str) -> Response:
        notification_services.dismiss_group(request.user, group_key)
        return Response({})


class UnreadCountView(MastodonAPIView):
    """GET /api/v1/notifications/unread_count and /api/v2/...: notifications (v2: groups)
    newer than the notifications marker, capped by ``limit`` (default 100, at most 1000)."""

    scopes = {"GET": "read:notifications"}
    grouped = False

    def get(self, request: Request) -> Response:
        markers = timelines.markers_of(request.user, ["notifications"])
        marker = markers.get("notifications")
        limit = param_limit(request, 100, 1000)
        count = notifications.unread_count(
            request.user, marker.last_read_id if marker else 0, limit, grouped=self.grouped,
            grouped_types=_grouped_types(request) if self.grouped else None,
            **notification_filters(request),
        )
        return Response({"count": count})
