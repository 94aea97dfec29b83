"""Polls: read one, vote on one (the poll's post must be visible to the caller)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import AnonymousOr, MastodonAPIView, param_list, viewer
from parley.api.serializers import serialize_poll
from parley.core.errors import ValidationFailed
from parley.posts import polls, selectors


class PollView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:statuses")}

    def get(self, request: Request, poll_id: str) -> Response:
        poll = selectors.get_poll(poll_id, viewer(request))
        return Response(serialize_poll(poll, viewer(request)))


class PollVotesView(MastodonAPIView):
    scopes = {"POST": "write:statuses"}

    def post(self, request: Request, poll_id: str) -> Response:
        poll = selectors.get_poll(poll_id, request.user)
        choices = []
        for raw in param_list(request, "choices"):
            if not raw.strip().isdigit() or len(raw.strip()) > 3:
                raise ValidationFailed("Validation failed: choice is out of range")
            choices.append(int(raw))
        polls.vote(request.user, poll, choices)
        return Response(serialize_poll(selectors.get_poll(poll.pk, request.user), request.user))
