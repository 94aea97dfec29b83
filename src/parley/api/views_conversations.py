"""Conversations: the threads of direct messages a member takes part in."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import MastodonAPIView, page_params, paged_response
from parley.api.serializers import StatusContext, serialize_account, serialize_status
from parley.timelines import selectors as timelines
from parley.timelines import services as timeline_services
from parley.timelines.selectors import Conversation


def serialize_conversations(items: list[Conversation], request) -> list[dict[str, Any]]:
    people = [account for item in items for account in item.accounts]
    ctx = StatusContext([item.last_status for item in items], request, people)
    return [
        {
            "id": str(item.id),
            "unread": item.unread,
            "accounts": [serialize_account(a, request, ctx.stats) for a in item.accounts],
            "last_status": serialize_status(item.last_status, ctx),
        }
        for item in items
    ]


class ConversationsView(MastodonAPIView):
    """GET /api/v1/conversations — newest message first, paged by last status."""

    scopes = {"GET": "read:statuses"}

    def get(self, request: Request) -> Response:
        rows = timelines.paginate_conversations(
            timelines.conversations_of(request.user), **page_params(request)
        )
        items = timelines.conversations_for_rows(request.user, rows)
        return paged_response(
            request, items, serialize_conversations(items, request),
            id_of=lambda item: item.last_status.pk,
        )


class ConversationView(MastodonAPIView):
    """DELETE /api/v1/conversations/:id — off the list until a newer message arrives."""

    scopes = {"DELETE": "write:conversations"}

    def delete(self, request: Request, conversation_id: str) -> Response:
        row = timelines.get_conversation_row(request.user, int(conversation_id))
        timeline_services.hide_conversation(request.user, row["thread"], row["last_id"])
        return Response({})


class ConversationReadView(MastodonAPIView):
    """POST /api/v1/conversations/:id/read."""

    scopes = {"POST": "write:conversations"}

    def post(self, request: Request, conversation_id: str) -> Response:
        row = timelines.get_conversation_row(request.user, int(conversation_id))
        timeline_services.mark_conversation_read(request.user, row["thread"], row["last_id"])
        items = timelines.conversations_for_rows(request.user, [row])
        return Response(serialize_conversations(items, request)[0])
