"""Trends (hashtags, statuses, links) from local activity, reviewed by rule; announcements."""

from __future__ import annotations

from urllib.parse import urlencode

from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import (
    AnonymousOr,
    MastodonAPIView,
    UserRequired,
    param_bool,
    param_limit,
    param_offset,
    require_usable_login,
    viewer,
)
from parley.api.serializers import iso, serialize_statuses
from parley.discovery import announcements, trends


def _offset_links(request: Request, response: Response, offset: int, limit: int,
                  count: int) -> Response:
    """Mastodon pages trends by ``offset``: next while a page is full, prev after the first."""
    base = request.build_absolute_uri(request.path)
    keep = {k: v for k, v in request.query_params.items() if k != "offset"}
    links = []
    if count >= limit:
        links.append(f'<{base}?{urlencode({**keep, "offset": offset + limit})}>; rel="next"')
    if offset > 0:
        links.append(
            f'<{base}?{urlencode({**keep, "offset": max(0, offset - limit)})}>; rel="prev"'
        )
    if links:
        response["Link"] = ", ".join(links)
    return response


class TrendTagsView(MastodonAPIView):
    scopes = {"GET": None}  # public, as Mastodon's

    def get(self, request: Request) -> Response:
        limit, offset = param_limit(request, 10, 20), param_offset(request)
        found = trends.trending_tags(limit, offset)
        data = [
            {
                "id": str(item["tag"].pk),
                "name": item["tag"].name,
                "url": request.build_absolute_uri(f"/tags/{item['tag'].name}"),
                "history": item["history"],
            }
            for item in found
        ]
        return _offset_links(request, Response(data), offset, limit, len(found))


class TrendStatusesView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:statuses")}

    def get(self, request: Request) -> Response:
        limit, offset = param_limit(request, 20, 40), param_offset(request)
        posts = trends.trending_posts(viewer(request), limit, offset)
        return _offset_links(request, Response(serialize_statuses(posts, request)), offset,
                             limit, len(posts))


class TrendLinksView(MastodonAPIView):
    """Parley makes no link preview cards, so no link can trend: always an empty list."""

    scopes = {"GET": None}

    def get(self, request: Request) -> Response:
        param_limit(request, 10, 20), param_offset(request)  # still 422 on a bad one
        return Response([])


def _member_token(request: Request) -> None:
    """Mastodon's announcements ask for a member's token, of any scope."""
    if getattr(request, "auth", None) is None:
        raise drf_exceptions.NotAuthenticated()
    if viewer(request) is None:
        raise UserRequired("This method requires an authenticated user")
    require_usable_login(request.user)


def _serialize_announcements(items: list, request: Request) -> list[dict]:
    user = request.user
    read = announcements.read_ids(user, items)
    reactions = announcements.reactions_of(user, items)
    return [
        {
            "id": str(a.pk),
            "content": a.content_html,
            "starts_at": iso(a.starts_at),
            "ends_at": iso(a.ends_at),
            "all_day": a.all_day,
            "published": True,
            "published_at": iso(a.published_at),
            "updated_at": iso(a.updated_at),
            "read": a.pk in read,
            "mentions": [],
            "statuses": [],
            "tags": [],
            "emojis": [],
            "reactions": reactions[a.pk],
        }
        for a in items
    ]


class AnnouncementsView(MastodonAPIView):
    scopes = {"GET": None}

    def get(self, request: Request) -> Response:
        _member_token(request)
        items = announcements.current_announcements(
            request.user, with_dismissed=param_bool(request, "with_dismissed"))
        return Response(_serialize_announcements(items, request))


class AnnouncementDismissView(MastodonAPIView):
    scopes = {"POST": "write:accounts"}

    def post(self, request: Request, announcement_id: str) -> Response:
        announcements.dismiss(request.user, announcements.get_current(announcement_id))
        return Response({})


class AnnouncementReactionView(MastodonAPIView):
    scopes = {"PUT": "write:favourites", "DELETE": "write:favourites"}

    def put(self, request: Request, announcement_id: str, name: str) -> Response:
        announcement = announcements.get_current(announcement_id)
        announcements.add_reaction(request.user, announcement, name)
        return Response({})

    def delete(self, request: Request, announcement_id: str, name: str) -> Response:
        announcement = announcements.get_current(announcement_id)
        announcements.remove_reaction(request.user, announcement, name)
        return Response({})
