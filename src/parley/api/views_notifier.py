"""The notifier API: hosting providers, trusted flaggers and authorities file notices with a
notifier token (``parley notifier create``) and track them by receipt. Notifier tokens reach
only these endpoints, and OAuth tokens never reach them."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from parley.api.base import param_bool, param_int, param_str, with_rate_headers
from parley.api.serializers import iso
from parley.core import ratelimits
from parley.core.errors import NotFound, ValidationFailed
from parley.safety.cases import selectors, services
from parley.safety.cases.models import Notice, Notifier

NOTICE_ENTITY = inline_serializer(
    "Notice",
    {
        "receipt": serializers.CharField(),
        "status": serializers.ChoiceField(["received", "in_review", "decided", "appealed",
                                           "closed"]),
        "outcome": serializers.ChoiceField(["pending", "actioned", "rejected", "no_action"]),
        "outcome_text": serializers.CharField(),
        "url": serializers.URLField(),
        "category": serializers.CharField(),
        "explanation": serializers.CharField(),
        "removal_order": serializers.BooleanField(),
        "deadline": serializers.DateTimeField(allow_null=True),
        "received_at": serializers.DateTimeField(),
        "decided_at": serializers.DateTimeField(allow_null=True),
    },
)
NEW_NOTICE = inline_serializer(
    "NewNotice",
    {
        "url": serializers.URLField(help_text="exact URL of the post or profile"),
        "category": serializers.CharField(help_text="a policy category, e.g. violence"),
        "explanation": serializers.CharField(help_text="why the content is illegal"),
        "removal_order": serializers.BooleanField(required=False,
                                                  help_text="authorities only"),
        "deadline": serializers.DateTimeField(required=False,
                                              help_text="ISO 8601; removal orders: 1 h"),
    },
)
ERROR = inline_serializer("Error", {"error": serializers.CharField()})


class NotifierTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer pnt_...``; anything else is not a notifier."""

    def authenticate(self, request: Request) -> tuple[Any, Notifier] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            return None
        notifier = services.authenticate_notifier(parts[1].decode(errors="replace"))
        if notifier is None:
            raise drf_exceptions.AuthenticationFailed()
        return (None, notifier)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="notifiers"'


class NotifierTokenScheme(OpenApiAuthenticationExtension):
    target_class = NotifierTokenAuthentication
    name = "notifierToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A notifier token (pnt_...) from `parley notifier create`"}


class NotifierAPIView(APIView):
    authentication_classes = [NotifierTokenAuthentication]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not isinstance(request.auth, Notifier):
            raise drf_exceptions.NotAuthenticated()
        self._rate_state = ratelimits.hit("api_token", f"notifier:{request.auth.pk}")

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
            return Response({"error": _auth_message(self.request)}, status=401,
                            headers={"WWW-Authenticate": 'Bearer realm="notifiers"'})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return with_rate_headers(response, getattr(self, "_rate_state", None))


def _auth_message(request: Request) -> str:
    header = get_authorization_header(request).split()
    if len(header) == 2 and header[1].startswith(b"pnt_"):
        return "The notifier token is invalid or was revoked"
    if header:
        return ("This API takes only notifier tokens (pnt_...), not OAuth tokens; an operator "
                "creates one with `parley notifier create NAME --kind KIND`")
    return ("This API needs a notifier token: Authorization: Bearer pnt_... "
            "(an operator creates one with `parley notifier create NAME --kind KIND`)")


def notice_entity(notice: Notice) -> dict[str, Any]:
    case = notice.case
    status = {"open": "received"}.get(case.state, case.state)
    return {
        "receipt": notice.receipt,
        "status": status,
        "outcome": notice.outcome or "pending",
        "outcome_text": notice.outcome_text,
        "url": notice.url,
        "category": notice.category,
        "explanation": notice.comment,
        "removal_order": notice.removal_order,
        "deadline": iso(notice.deadline or case.deadline),
        "received_at": iso(notice.created_at),
        "decided_at": iso(notice.decided_at),
    }


def _deadline(request: Request):
    raw = param_str(request, "deadline")
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise ValidationFailed("deadline must be an ISO 8601 date and time, e.g. "
                               "2026-01-31T12:00:00Z")
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


class NoticesView(NotifierAPIView):
    @extend_schema(
        tags=["notifier"], summary="File a notice (or an authority's removal order)",
        request=NEW_NOTICE, responses={201: NOTICE_ENTITY, 401: ERROR, 403: ERROR, 422: ERROR,
                                       429: ERROR},
        examples=[OpenApiExample("notice", request_only=True, value={
            "url": "https://parley.example/@someone/123", "category": "violence",
            "explanation": "Calls for violence against a named person."})],
    )
    def post(self, request: Request) -> Response:
        for name in ("url", "category", "explanation"):
            if not param_str(request, name):
                raise ValidationFailed(f"{name} is required")
        notice = services.file_notifier_notice(
            request.auth,
            url=param_str(request, "url") or "",
            explanation=param_str(request, "explanation") or "",
            category=param_str(request, "category") or "",
            removal_order=param_bool(request, "removal_order"),
            deadline=_deadline(request),
        )
        notice.refresh_from_db()
        response = Response(notice_entity(notice), status=201)
        response["Location"] = request.build_absolute_uri(
            f"/api/parley/v1/notices/{notice.receipt}")
        return response

    @extend_schema(tags=["notifier"], summary="This notifier's notices, newest first",
                   parameters=[], responses={200: NOTICE_ENTITY})
    def get(self, request: Request) -> Response:
        limit = max(1, min(param_int(request, "limit", 40) or 40, 200))
        queryset = selectors.notices_of(request.auth)
        if outcome := param_str(request, "outcome"):
            queryset = queryset.filter(outcome=outcome)
        if max_id := param_int(request, "max_id"):
            queryset = queryset.filter(pk__lt=max_id)
        return Response([notice_entity(n) for n in queryset[:limit]])


def _own_notice(request: Request, receipt: str) -> Notice:
    notice = selectors.notice_by_receipt(receipt)
    if notice.notifier_id != request.auth.pk:
        raise NotFound("No notice with this receipt")
    return notice


class NoticeView(NotifierAPIView):
    @extend_schema(tags=["notifier"], summary="A notice's status and outcome, by receipt",
                   responses={200: NOTICE_ENTITY, 404: ERROR})
    def get(self, request: Request, receipt: str) -> Response:
        return Response(notice_entity(_own_notice(request, receipt)))


class NoticeAppealView(NotifierAPIView):
    @extend_schema(
        tags=["notifier"], summary="Appeal the rejection of a notice (DSA Art. 20)",
        request=inline_serializer("NoticeAppeal", {"text": serializers.CharField()}),
        responses={201: OpenApiTypes.OBJECT, 409: ERROR, 422: ERROR},
    )
    def post(self, request: Request, receipt: str) -> Response:
        appeal = services.file_notice_appeal(_own_notice(request, receipt),
                                             param_str(request, "text", "") or "")
        return Response({"id": str(appeal.pk), "state": appeal.state,
                         "created_at": iso(appeal.created_at)}, status=201)
