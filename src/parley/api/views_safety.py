"""Parley's safety API: the case queue, claims and actions, appeals and policy for
moderators; statements of reasons and appeals for the members they are about."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import (
    MastodonAPIView,
    UserRequired,
    param_bool,
    param_limit,
    param_offset,
    param_raw,
    param_str,
    require_token_scope,
    viewer,
)
from parley.api.serializers import iso, serialize_account, serialize_statuses
from parley.core.errors import NotAllowed, NotFound, ValidationFailed
from parley.posts import selectors as post_selectors
from parley.posts.models import Post
from parley.safety import policy
from parley.safety import services as safety_services
from parley.safety.cases import selectors, services
from parley.safety.cases.models import Appeal, Case, CaseAction, Notice, StatementOfReasons

ERROR = inline_serializer("SafetyError", {"error": serializers.CharField()})
REDRESS = {
    "appeal": "Appeal within 6 months: POST /api/parley/v1/statements/{id}/appeal or the "
              "statement page. Another moderator decides.",
    "out_of_court": "A certified out-of-court dispute settlement body (DSA Art. 21).",
    "court": "The courts of your country.",
}


# -- entities -------------------------------------------------------------------------------


def notice_brief(notice: Notice) -> dict[str, Any]:
    return {
        "id": str(notice.pk),
        "receipt": notice.receipt,
        "source": notice.source,
        "category": notice.category,
        "reported_category": notice.reported_category or None,
        "comment": notice.comment,
        "url": notice.url or None,
        "reporter_id": str(notice.reporter_id) if notice.reporter_id else None,
        "notifier": notice.notifier.name if notice.notifier_id else None,
        "removal_order": notice.removal_order,
        "outcome": notice.outcome,
        "created_at": iso(notice.created_at),
    }


def action_entity(action: CaseAction) -> dict[str, Any]:
    statement = _statement_or_none(action)
    return {
        "id": str(action.pk),
        "case_id": str(action.case_id),
        "kind": action.kind,
        "category": action.category,
        "reason": action.reason,
        "on_account": action.on_account,
        "automated": action.automated,
        "moderator_id": str(action.moderator_id) if action.moderator_id else None,
        "ends_at": iso(action.ends_at),
        "expired_at": iso(action.expired_at),
        "reversed_at": iso(action.reversed_at),
        "statement_id": str(statement.pk) if statement else None,
        "created_at": iso(action.created_at),
    }


def _statement_or_none(action: CaseAction) -> StatementOfReasons | None:
    try:
        return action.statement
    except StatementOfReasons.DoesNotExist:
        return None


def case_entity(case: Case, request: Request) -> dict[str, Any]:
    left = selectors.time_left(case)
    return {
        "id": str(case.pk),
        "state": case.state,
        "category": case.category,
        "priority": round(case.priority, 3),
        "confidence": round(case.confidence, 3),
        "deadline": iso(case.deadline),
        "time_left_seconds": int(left.total_seconds()),
        "overdue": left < timedelta(0),
        "escalated": case.escalated,
        "legal_hold": case.legal_hold,
        "account": serialize_account(case.account, request),
        "status_id": str(case.post_id) if case.post_id else None,
        "claimed_by_id": str(case.claimed_by_id) if case.claimed_by_id else None,
        "opened_at": iso(case.opened_at),
        "decided_at": iso(case.decided_at),
    }


def appeal_entity(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": str(appeal.pk),
        "statement_id": str(appeal.statement_id) if appeal.statement_id else None,
        "notice_receipt": appeal.notice.receipt if appeal.notice_id else None,
        "appellant_id": str(appeal.appellant_id) if appeal.appellant_id else None,
        "text": appeal.text,
        "state": appeal.state,
        "decided_by_id": str(appeal.decided_by_id) if appeal.decided_by_id else None,
        "decision_text": appeal.decision_text,
        "created_at": iso(appeal.created_at),
        "decided_at": iso(appeal.decided_at),
    }


def member_appeal_entity(appeal: Appeal) -> dict[str, Any]:
    """An appeal as its appellant sees it: decided by the instance, not a named moderator."""
    entity = appeal_entity(appeal)
    del entity["decided_by_id"]
    return entity


def statement_entity(statement: StatementOfReasons, request: Request) -> dict[str, Any]:
    action = statement.action
    appeals = list(statement.appeals.order_by("-id"))
    deadline = statement.created_at + policy.APPEAL_WINDOW
    return {
        "id": str(statement.pk),
        "url": request.build_absolute_uri(f"/statements/{statement.pk}"),
        "puid": statement.puid,
        "measure": action.kind,
        "decision_visibility": statement.decision_visibility or None,
        "decision_account": statement.decision_account or None,
        "category": statement.category,
        "category_label": policy.dsa_category_label(statement.category),
        "content": _content_entity(selectors.content_acted_on(statement)),
        "content_type": statement.content_type,
        "source_type": statement.source_type,
        "automated_detection": statement.automated_detection,
        "automated_decision": statement.automated_decision,
        "facts": statement.facts,
        "decision_ground": statement.ground,
        "policy_ground": statement.policy_ground,
        "legal_ground": statement.legal_ground or None,
        "scope": statement.scope,
        "ends_at": iso(statement.ends_at),
        "content_date": iso(statement.content_date),
        "status_ids": [str(action.case.post_id)] if action.case.post_id else [],
        "reversed_at": iso(action.reversed_at),
        "appeal_until": iso(deadline),
        "appeal": member_appeal_entity(appeals[0]) if appeals else None,
        "issued_by": {"instance": settings.PARLEY_DOMAIN,
                      "title": settings.PARLEY_INSTANCE_TITLE},
        "redress": REDRESS,
        "created_at": iso(statement.created_at),
    }


def _content_entity(content: selectors.ActedOn | None) -> dict[str, Any] | None:
    """The words acted on, quoted to the author (statements are theirs and moderators')."""
    if content is None:
        return None
    return {"text": content.text, "spoiler_text": content.spoiler_text,
            "created_at": iso(content.created_at), "media_count": content.media_count,
            "purged": content.purged}


def _moderator_statuses(post_ids: list[int], request: Request) -> list[dict]:
    posts = list(post_selectors.with_related(Post.objects.filter(pk__in=post_ids)))
    return serialize_statuses(posts, request)


# -- moderators: cases ------------------------------------------------------------------------

CASE_LIST_PARAMS = [
    OpenApiParameter("state", str, description="open (the queue, default) or all"),
    OpenApiParameter("limit", int, description="at most 200"),
    OpenApiParameter("offset", int),
]


class CasesView(MastodonAPIView):
    scopes = {"GET": "admin:read"}

    @extend_schema(tags=["safety"], summary="The case queue: escalated, priority, deadline",
                   parameters=CASE_LIST_PARAMS, responses={200: OpenApiTypes.OBJECT,
                                                           403: ERROR})
    def get(self, request: Request) -> Response:
        limit = param_limit(request, 40, 200)
        offset = param_offset(request)
        state = param_str(request, "state", "open")
        queryset = selectors.case_queue() if state == "open" else selectors.all_cases()
        if state not in ("open", "all"):
            queryset = queryset.filter(state=state)
        return Response([case_entity(c, request) for c in queryset[offset:offset + limit]])


class CaseView(MastodonAPIView):
    scopes = {"GET": "admin:read"}

    @extend_schema(tags=["safety"], summary="A case with notices, evidence, thread, history",
                   responses={200: OpenApiTypes.OBJECT, 404: ERROR})
    def get(self, request: Request, case_id: str) -> Response:
        detail = selectors.case_detail(case_id)
        concerned = ([detail.post] if detail.post else []) + detail.thread
        services.record_private_content_read(request.user, detail.case, concerned, via="api")
        # The author's other posts do not concern the case: their private ones stay private.
        recent = [p for p in detail.author_recent_posts
                  if p.visibility not in services.PRIVATE_VISIBILITIES]
        data = case_entity(detail.case, request)
        data.update(
            notices=[notice_brief(n) for n in detail.notices],
            screening=detail.screening,
            status=(_moderator_statuses([detail.post.pk], request)[0] if detail.post else None),
            thread=_moderator_statuses([p.pk for p in detail.thread], request),
            author_recent_statuses=_moderator_statuses([p.pk for p in recent], request),
            prior_strikes=[{"id": str(s.pk), "weight": s.weight, "active": s.active,
                            "created_at": iso(s.created_at)} for s in detail.prior_strikes],
            actions=[action_entity(a) for a in detail.actions],
            appeals=[appeal_entity(a) for a in detail.appeals],
            near_duplicate_ids=[str(p.pk) for p in detail.near_duplicates],
        )
        return Response(data)


class CaseClaimView(MastodonAPIView):
    scopes = {"POST": "admin:write"}
    claim = True

    @extend_schema(tags=["safety"], summary="Claim (or unclaim) a case",
                   request=None, responses={200: OpenApiTypes.OBJECT, 409: ERROR})
    def post(self, request: Request, case_id: str) -> Response:
        case = selectors.get_case(case_id)
        change = services.claim_case if self.claim else services.unclaim_case
        return Response(case_entity(change(case, request.user), request))


class CaseCloseView(MastodonAPIView):
    scopes = {"POST": "admin:write"}

    @extend_schema(tags=["safety"], summary="Close a case (pending notices: no action)",
                   request=inline_serializer("CloseCase", {"reason": serializers.CharField(
                       required=False)}), responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: str) -> Response:
        case = services.close_case(selectors.get_case(case_id), request.user,
                                   param_str(request, "reason", "") or "")
        return Response(case_entity(case, request))


class CaseActionsView(MastodonAPIView):
    scopes = {"POST": "admin:write", "GET": "admin:read"}

    @extend_schema(tags=["safety"], summary="The actions taken on a case",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, case_id: str) -> Response:
        case = selectors.get_case(case_id)
        actions = case.actions.select_related("statement").order_by("id")
        return Response([action_entity(a) for a in actions])

    @extend_schema(
        tags=["safety"], summary="Take an action on a case (the one door)",
        request=inline_serializer("NewAction", {
            "kind": serializers.ChoiceField(["remove", "restore", "hold", "release",
                                             "content_warning", "limit_reach", "suspend",
                                             "unsuspend", "strike", "dismiss"]),
            "category": serializers.CharField(required=False),
            "reason": serializers.CharField(required=False),
            "duration_hours": serializers.FloatField(required=False,
                                                     help_text="suspend/limit_reach only"),
            "content_warning": serializers.CharField(required=False),
            "on_account": serializers.BooleanField(required=False),
        }),
        responses={201: OpenApiTypes.OBJECT, 409: ERROR, 422: ERROR},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = selectors.get_case(case_id)
        hours = param_raw(request, "duration_hours")
        duration = None
        if hours not in (None, ""):
            try:
                duration = timedelta(hours=float(hours))
            except (TypeError, ValueError):
                raise ValidationFailed("duration_hours must be a number") from None
        action = services.take_action(
            case, request.user, param_str(request, "kind", "") or "",
            category=param_str(request, "category"),
            reason=param_str(request, "reason", "") or "",
            duration=duration,
            content_warning=param_str(request, "content_warning", "") or "",
            on_account=param_bool(request, "on_account"),
        )
        return Response(action_entity(action), status=201)


class CaseReferralView(MastodonAPIView):
    scopes = {"POST": "admin:write"}

    @extend_schema(tags=["safety"], summary="Refer a threat to life or safety (DSA Art. 18)",
                   request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: str) -> Response:
        referral = services.make_referral(selectors.get_case(case_id), request.user)
        return Response(services.referral_package(referral), status=201)


class CaseLegalHoldView(MastodonAPIView):
    scopes = {"POST": "admin:write"}

    @extend_schema(tags=["safety"], summary="Keep (or stop keeping) a case's content past the "
                   "preservation window", request=inline_serializer("LegalHold", {
                       "held": serializers.BooleanField(),
                       "reason": serializers.CharField(required=False)}),
                   responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: str) -> Response:
        case = services.set_legal_hold(selectors.get_case(case_id), request.user,
                                       param_bool(request, "held", True),
                                       reason=param_str(request, "reason", "") or "")
        return Response(case_entity(case, request))


# -- moderators: appeals, policy, notifiers -------------------------------------------------


class AppealsView(MastodonAPIView):
    scopes = {"GET": "admin:read"}

    @extend_schema(tags=["safety"], summary="Pending appeals, oldest first",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response([appeal_entity(a) for a in selectors.pending_appeals()[:200]])


class AppealDecideView(MastodonAPIView):
    scopes = {"POST": "admin:write"}

    @extend_schema(
        tags=["safety"], summary="Decide an appeal (not by the original moderator)",
        request=inline_serializer("AppealDecision", {"reverse": serializers.BooleanField(),
                                                     "text": serializers.CharField()}),
        responses={200: OpenApiTypes.OBJECT, 403: ERROR, 409: ERROR},
    )
    def post(self, request: Request, appeal_id: str) -> Response:
        if param_raw(request, "reverse") is None:
            raise ValidationFailed("reverse is required (true: reverse the decision)")
        appeal = services.decide_appeal(
            selectors.get_appeal(appeal_id), request.user,
            reverse=param_bool(request, "reverse"), text=param_str(request, "text", "") or "",
        )
        return Response(appeal_entity(appeal))


class PolicyView(MastodonAPIView):
    scopes = {"GET": "admin:read", "PATCH": "admin:write"}

    @extend_schema(tags=["safety"], summary="The effective policy table",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(_policy_document())

    @extend_schema(
        tags=["safety"], summary="Change the policy (admins only; audited)",
        request=OpenApiTypes.OBJECT,
        description='Body: {"violence": {"hold": 0.95, "deadline_hours": 1}}. All changes '
                    "are saved together or none is (422 names the bad value). Tunable: "
                    + "; ".join(f"{k}: {v}" for k, v in safety_services.TUNABLE.items()),
        responses={200: OpenApiTypes.OBJECT, 403: ERROR, 422: ERROR},
    )
    def patch(self, request: Request) -> Response:
        if not request.user.is_admin:
            raise NotAllowed("Only admins may change the policy")
        safety_services.change_policies(request.user, request.data)
        return Response(_policy_document())


def _policy_document() -> dict[str, Any]:
    return {
        "categories": [safety_services.policy_as_dict(p)
                       for p in policy.effective_policy().values()],
        "strikes_before_warning": policy.STRIKES_BEFORE_WARNING,
        "strikes_before_suspension": policy.STRIKES_BEFORE_SUSPENSION,
        "appeal_window_days": policy.APPEAL_WINDOW.days,
    }


class NotifiersView(MastodonAPIView):
    scopes = {"GET": "admin:read"}

    @extend_schema(tags=["safety"], summary="Notifiers and their standing",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response([
            {"id": str(n.pk), "name": n.name, "kind": n.kind,
             "revoked": n.revoked_at is not None, "suspended_until": iso(n.suspended_until),
             "throttled": services.notifier_is_throttled(n),
             "founded_count": n.founded_count, "unfounded_count": n.unfounded_count,
             "last_used_at": iso(n.last_used_at)}
            for n in selectors.notifiers()
        ])


# -- members: their statements of reasons and appeals ---------------------------------------


class RecipientAPIView(MastodonAPIView):
    """Needs a token with ``needed_scope``, but, unlike the rest of the API, also serves
    suspended members: they must be able to read why and appeal (DSA Art. 17, 20)."""

    needed_scope = "read"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_token_scope(request, (self.needed_scope,))
        if viewer(request) is None:
            raise UserRequired("This method requires an authenticated user")


class StatementsView(RecipientAPIView):

    @extend_schema(tags=["statements"], summary="Statements of reasons about me",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        statements = selectors.statements_for(request.user)[:200]
        return Response([statement_entity(s, request) for s in statements])


class StatementView(RecipientAPIView):

    @extend_schema(tags=["statements"], summary="One statement of reasons (DSA Art. 17)",
                   responses={200: OpenApiTypes.OBJECT, 404: ERROR})
    def get(self, request: Request, statement_id: str) -> Response:
        statement = selectors.get_statement_for(request.user, statement_id)
        return Response(statement_entity(statement, request))


class StatementAppealView(RecipientAPIView):
    needed_scope = "write"

    @extend_schema(tags=["statements"], summary="Appeal a decision about me (DSA Art. 20)",
                   request=inline_serializer("Appeal", {"text": serializers.CharField()}),
                   responses={201: OpenApiTypes.OBJECT, 403: ERROR, 409: ERROR})
    def post(self, request: Request, statement_id: str) -> Response:
        statement = selectors.get_statement_for(request.user, statement_id)
        appeal = services.file_appeal(statement, request.user,
                                      param_str(request, "text", "") or "")
        return Response(member_appeal_entity(appeal), status=201)


class ReportAppealView(RecipientAPIView):
    needed_scope = "write"

    @extend_schema(tags=["statements"], summary="Appeal the rejection of my report",
                   request=inline_serializer("ReportAppeal", {"text": serializers.CharField()}),
                   responses={201: OpenApiTypes.OBJECT, 404: ERROR, 422: ERROR})
    def post(self, request: Request, report_id: str) -> Response:
        notice = selectors.get_report(report_id)
        if notice.reporter_id != request.user.pk:
            raise NotFound("Record not found")
        appeal = services.file_notice_appeal(notice, param_str(request, "text", "") or "")
        return Response(member_appeal_entity(appeal), status=201)

