"""Scheduled statuses: a member's posts waiting for their time (``scheduled_at``)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import MastodonAPIView, page_params, paged_response, param_datetime
from parley.api.serializers import serialize_scheduled
from parley.core.errors import ValidationFailed
from parley.posts import scheduled
from parley.posts.selectors import paginate

READ, WRITE = "read:statuses", "write:statuses"


class ScheduledStatusesView(MastodonAPIView):
    scopes = {"GET": READ}

    def get(self, request: Request) -> Response:
        items = paginate(scheduled.scheduled_of(request.user), **page_params(request))
        return paged_response(request, items, serialize_scheduled(items, request))


class ScheduledStatusView(MastodonAPIView):
    scopes = {"GET": READ, "PUT": WRITE, "DELETE": WRITE}

    def get(self, request: Request, scheduled_id: str) -> Response:
        item = scheduled.get_scheduled(request.user, scheduled_id)
        return Response(serialize_scheduled([item], request)[0])

    def put(self, request: Request, scheduled_id: str) -> Response:
        item = scheduled.get_scheduled(request.user, scheduled_id)
        when = param_datetime(request, "scheduled_at")
        if when is None:
            raise ValidationFailed("Validation failed: scheduled_at can't be blank")
        item = scheduled.reschedule(item, when)
        return Response(serialize_scheduled([item], request)[0])

    def delete(self, request: Request, scheduled_id: str) -> Response:
        scheduled.cancel(scheduled.get_scheduled(request.user, scheduled_id))
        return Response({})
