"""Trends (hashtags, statuses, links) from local activity, reviewed by rule."""

from __future__ import annotations

from urllib.parse import urlencode

from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import AnonymousOr, MastodonAPIView, param_limit, param_offset, viewer
from parley.api.serializers import serialize_statuses
from parley.discovery import trends


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
