"""Timelines, notifications and favourites."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import (
    AnonymousOr,
    MastodonAPIView,
    page_params,
    paged_response,
    param_bool,
)
from parley.api.base import viewer as viewer_of
from parley.api.filtering import filtered_statuses_response
from parley.api.serializers import serialize_notifications, serialize_statuses
from parley.api.views_notifications import notification_filters
from parley.core.errors import NotFound
from parley.core.replicas import reads_from_replica
from parley.filters.selectors import active_filters
from parley.notifications import selectors as notification_selectors
from parley.notifications import services as notification_services
from parley.posts import selectors as post_selectors
from parley.posts.viewcounts import record_views
from parley.timelines import selectors as timelines


class HomeTimelineView(MastodonAPIView):
    scopes = {"GET": "read:statuses"}

    @reads_from_replica
    def get(self, request: Request) -> Response:
        response, shown = filtered_statuses_response(
            request, timelines.home_timeline(request.user), "home"
        )
        record_views(viewer_of(request), shown)
        return response


class PublicTimelineView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:statuses")}

    @reads_from_replica
    def get(self, request: Request) -> Response:
        queryset = timelines.public_timeline(
            viewer_of(request),
            local=param_bool(request, "local"),
            only_media=param_bool(request, "only_media"),
        )
        if param_bool(request, "remote"):
            queryset = queryset.none()
        response, shown = filtered_statuses_response(request, queryset, "public")
        record_views(viewer_of(request), shown)
        return response


class TagTimelineView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:statuses")}

    @reads_from_replica
    def get(self, request: Request, tag: str) -> Response:
        response, shown = filtered_statuses_response(
            request, timelines.tag_timeline(tag, viewer_of(request)), "public"
        )
        record_views(viewer_of(request), shown)
        return response


class FavouritesView(MastodonAPIView):
    scopes = {"GET": "read:favourites"}

    def get(self, request: Request) -> Response:
        queryset = post_selectors.with_related(
            post_selectors.distributed_posts(request.user).filter(likes__user=request.user)
        )
        posts = post_selectors.paginate(queryset, **page_params(request))
        return paged_response(request, posts, serialize_statuses(posts, request))


class BookmarksView(MastodonAPIView):
    """Newest bookmark first, paged by bookmark ids (as Mastodon does) in the Link header."""

    scopes = {"GET": "read:bookmarks"}

    def get(self, request: Request) -> Response:
        bookmarks = post_selectors.paginate(
            post_selectors.bookmarks_of(request.user), **page_params(request)
        )
        posts = post_selectors.posts_of_bookmarks(bookmarks)
        return paged_response(request, bookmarks, serialize_statuses(posts, request))


class NotificationsView(MastodonAPIView):
    scopes = {"GET": "read:notifications"}

    def get(self, request: Request) -> Response:
        queryset = notification_selectors.notifications_for(
            request.user, **notification_filters(request)
        )
        items = notification_selectors.paginate_notifications(
            queryset, **page_params(request, default_limit=40)
        )
        filters = active_filters(request.user, "notifications")
        # Paged by what was read, so a page thinned by hide filters still leads on.
        return paged_response(request, items, serialize_notifications(items, request, filters))


class NotificationView(MastodonAPIView):
    scopes = {"GET": "read:notifications"}

    def get(self, request: Request, notification_id: str) -> Response:
        item = (
            notification_selectors.notifications_for(request.user)
            .filter(pk=int(notification_id))
            .first()
        )
        if item is None:
            raise NotFound("Record not found")
        return Response(serialize_notifications([item], request)[0])


class NotificationDismissView(MastodonAPIView):
    scopes = {"POST": "write:notifications"}

    def post(self, request: Request, notification_id: str) -> Response:
        notification_services.dismiss(request.user, int(notification_id))
        return Response({})


class NotificationClearView(MastodonAPIView):
    scopes = {"POST": "write:notifications"}

    def post(self, request: Request) -> Response:
        notification_services.clear(request.user)
        return Response({})
