"""Mastodon's admin API for reports and account actions, on Parley's cases, so Mastodon
moderation tools (and Mastodon.py's admin functions) work. Scopes admin:read / admin:write,
which only moderators and admins are granted."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from parley.accounts import selectors as account_selectors
from parley.accounts.models import User
from parley.api.base import (
    MastodonAPIView,
    page_params,
    paged_response,
    param_bool,
    param_int,
    param_raw,
    param_str,
)
from parley.api.serializers import AccountStats, iso, serialize_account, serialize_statuses
from parley.core.errors import NotAllowed, ValidationFailed
from parley.posts import selectors as post_selectors
from parley.posts.models import Post
from parley.safety.cases import selectors, services
from parley.safety.cases.models import ActionKind, CaseState, Notice

# Mastodon's account action types, in Parley's action vocabulary. Parley has no separate
# "disable login": a disabled account is suspended (its content hidden too).
ACCOUNT_ACTIONS = {
    "none": ActionKind.DISMISS,
    "disable": ActionKind.SUSPEND,
    "sensitive": ActionKind.CONTENT_WARNING,
    "silence": ActionKind.LIMIT_REACH,
    "suspend": ActionKind.SUSPEND,
}


def admin_account(user: User | None, request: Request, stats: AccountStats | None = None
                  ) -> dict[str, Any] | None:
    """Mastodon's Admin::Account entity."""
    if user is None:
        return None
    return {
        "id": str(user.pk),
        "username": user.username,
        "domain": None,
        "created_at": iso(user.created_at),
        "email": user.email,
        "ip": None,
        "ips": [],
        "locale": "en",
        "invite_request": user.registration_reason or None,
        "role": {"id": user.role, "name": user.role, "permissions": "0", "color": "",
                 "highlighted": user.is_moderator},
        "confirmed": True,
        "approved": user.is_approved,
        "disabled": not user.is_active,
        "silenced": user.silenced,
        "suspended": user.is_suspended,
        "sensitized": user.sensitized,
        "account": serialize_account(user, request, stats),
        "created_by_application_id": None,
        "invited_by_account_id": None,
    }


def admin_report(notice: Notice, request: Request) -> dict[str, Any]:
    """Mastodon's Admin::Report entity, for one member's notice and its case."""
    case = notice.case
    users = [u for u in (notice.reporter, case.account, case.claimed_by, case.decided_by) if u]
    stats = AccountStats(users)
    posts = list(post_selectors.with_related(Post.objects.filter(pk__in=notice.post_ids)))
    services.record_private_content_read(request.user, case, posts, via="admin_api")
    resolved = notice.outcome not in ("", "pending")
    return {
        "id": str(notice.pk),
        "action_taken": resolved,
        "action_taken_at": iso(notice.decided_at) if resolved else None,
        "category": notice.reported_category or "other",
        "comment": notice.comment,
        "forwarded": False,
        "created_at": iso(notice.created_at),
        "updated_at": iso(notice.decided_at or case.claimed_at or notice.created_at),
        "account": admin_account(notice.reporter, request, stats),
        "target_account": admin_account(case.account, request, stats),
        "assigned_account": admin_account(case.claimed_by, request, stats),
        "action_taken_by_account": admin_account(case.decided_by if resolved else None,
                                                 request, stats),
        "statuses": serialize_statuses(posts, request),
        "rules": _rules(notice.rule_ids),
        # Parley's extension: the case behind the report (safety API: /api/parley/v1/cases).
        "parley": {"case_id": str(case.pk), "case_state": case.state,
                   "outcome": notice.outcome},
    }


def _rules(rule_ids: list) -> list[dict[str, str]]:
    rules = selectors.instance_rules().filter(pk__in=[int(r) for r in rule_ids or []])
    return [{"id": str(r.pk), "text": r.text, "hint": r.hint} for r in rules]


REPORT_FILTERS = [
    OpenApiParameter("resolved", bool, description="true: resolved reports only"),
    OpenApiParameter("account_id", str, description="reports filed by this account"),
    OpenApiParameter("target_account_id", str, description="reports about this account"),
    OpenApiParameter("limit", int),
    OpenApiParameter("max_id", str),
    OpenApiParameter("since_id", str),
    OpenApiParameter("min_id", str),
]


class AdminReportsView(MastodonAPIView):
    scopes = {"GET": "admin:read:reports"}

    @extend_schema(tags=["admin"], summary="Reports (Mastodon Admin::Report)",
                   operation_id="admin_reports_list",
                   parameters=REPORT_FILTERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        queryset = selectors.member_reports()
        if param_bool(request, "resolved"):
            queryset = queryset.exclude(outcome="pending")
        else:
            queryset = queryset.filter(outcome="pending")
        if account_id := param_int(request, "account_id"):
            queryset = queryset.filter(reporter_id=account_id)
        if target := param_int(request, "target_account_id"):
            queryset = queryset.filter(case__account_id=target)
        paging = page_params(request, default_limit=100)
        if paging["max_id"]:
            queryset = queryset.filter(pk__lt=paging["max_id"])
        if paging["since_id"]:
            queryset = queryset.filter(pk__gt=paging["since_id"])
        limit = max(1, min(paging["limit"] or 100, 200))
        if paging["min_id"]:
            items = list(queryset.filter(pk__gt=paging["min_id"]).order_by("id")[:limit])[::-1]
        else:
            items = list(queryset[:limit])
        return paged_response(request, items, [admin_report(n, request) for n in items])


class AdminReportView(MastodonAPIView):
    scopes = {"GET": "admin:read:reports"}

    @extend_schema(tags=["admin"], summary="One report", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, report_id: str) -> Response:
        return Response(admin_report(selectors.get_report(report_id), request))


class AdminReportActionView(MastodonAPIView):
    """assign_to_self, unassign, resolve, reopen."""

    scopes = {"POST": "admin:write:reports"}
    action = ""

    @extend_schema(tags=["admin"], summary="Assign, unassign, resolve or reopen a report",
                   request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, report_id: str) -> Response:
        notice = selectors.get_report(report_id)
        case, moderator = notice.case, request.user
        if self.action == "assign_to_self":
            services.claim_case(case, moderator)
        elif self.action == "unassign":
            services.unclaim_case(case, moderator)
        elif self.action == "resolve":
            _resolve(notice, moderator)
        elif self.action == "reopen":
            services.reopen_case(case, moderator)
        return Response(admin_report(selectors.get_report(report_id), request))


def _resolve(notice: Notice, moderator: User) -> None:
    """Mastodon's resolve: done without (further) action."""
    case = notice.case
    if case.state in (CaseState.OPEN, CaseState.IN_REVIEW):
        services.close_case(case, moderator)
    elif notice.outcome == "pending":
        services.decide_notice(notice, "no_action", "We reviewed it and took no action.")


class AdminAccountView(MastodonAPIView):
    scopes = {"GET": "admin:read:accounts"}

    @extend_schema(tags=["admin"], summary="One account (Mastodon Admin::Account)",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, account_id: str) -> Response:
        return Response(admin_account(_any_account(account_id), request))


def _any_account(account_id: str) -> User:
    user = User.objects.filter(pk=int(account_id)).first()
    if user is None:
        return account_selectors.get_account(account_id)  # raises NotFound
    return user


class AdminAccountActionView(MastodonAPIView):
    scopes = {"POST": "admin:write:accounts"}

    @extend_schema(
        tags=["admin"], summary="Act on an account: none, disable, sensitive, silence, suspend",
        request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, account_id: str) -> Response:
        target = _any_account(account_id)
        moderator = request.user
        kind = param_str(request, "type", "none") or "none"
        if kind not in ACCOUNT_ACTIONS:
            raise ValidationFailed(f"type must be one of {', '.join(ACCOUNT_ACTIONS)}")
        if target.pk == moderator.pk or (target.is_moderator and not moderator.is_admin):
            raise NotAllowed("This action is not allowed")
        case = None
        if param_raw(request, "report_id") not in (None, ""):
            notice = selectors.get_report(param_str(request, "report_id") or "")
            if notice.case.account_id != target.pk:
                raise ValidationFailed("The report is not about this account")
            case = notice.case
        case = case or services.open_case_about_account(target, moderator)
        if case.state == CaseState.CLOSED:
            services.reopen_case(case, moderator)
        services.take_action(
            case, moderator, ACCOUNT_ACTIONS[kind], reason=param_str(request, "text", "") or "",
            on_account=kind in ("sensitive", "silence"),
        )
        return Response({})
