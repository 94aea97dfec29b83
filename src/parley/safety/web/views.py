"""Thin views over the cases services and selectors: console, notices, statements."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from parley.core import ratelimits
from parley.core.errors import NotFound, ParleyError, RateLimited
from parley.posts.models import PostState
from parley.safety.cases import harm, services
from parley.safety.cases import selectors as cases
from parley.safety.cases.models import OPEN_STATES, ActionKind, Appeal
from parley.safety.policy import APPEAL_WINDOW, POLICY, category_policy, dsa_category_label
from parley.safety.web.forms import (
    ActionForm,
    AppealDecisionForm,
    AppealForm,
    BulkActionForm,
    NoticeForm,
    RuleForm,
)
from parley.web.views import rate_limited

QUEUE_LIMIT = 200
ACTION_LABELS = {
    ActionKind.REMOVE: "Remove post",
    ActionKind.RESTORE: "Restore post",
    ActionKind.HOLD: "Hold post",
    ActionKind.RELEASE: "Release post",
    ActionKind.CONTENT_WARNING: "Add content warning",
    ActionKind.LIMIT_REACH: "Limit reach",
    ActionKind.SUSPEND: "Suspend account",
    ActionKind.UNSUSPEND: "Lift suspension",
    ActionKind.STRIKE: "Strike",
    ActionKind.DISMISS: "Dismiss (no violation)",
}
SOURCE_TYPE_TEXT = {
    "SOURCE_ARTICLE_16": "A notice someone sent us (DSA Art. 16)",
    "SOURCE_TRUSTED_FLAGGER": "A notice from a trusted flagger (DSA Art. 22)",
    "SOURCE_VOLUNTARY": "Our own initiative",
    "SOURCE_TYPE_OTHER_NOTIFICATION": "Another kind of notification",
}
AUTOMATED_DECISION_TEXT = {
    "AUTOMATED_DECISION_FULLY": "Yes, fully automated",
    "AUTOMATED_DECISION_PARTIALLY": "Partly: automated tools helped, a person decided",
    "AUTOMATED_DECISION_NOT_AUTOMATED": "No, a person decided",
}


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "web/error.html", {"message": message}, status=status)


def moderator_required(view):
    """Anonymous visitors go to the log-in page; members get 403."""

    @wraps(view)
    def check(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_moderator:
            return _error(request, "Only moderators can see this page.", 403)
        return view(request, *args, **kwargs)

    return login_required(check)


def admin_required(view):
    """Anonymous visitors go to the log-in page; members and moderators get 403."""

    @wraps(view)
    def check(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_admin:
            return _error(request, "Only admins can see this page.", 403)
        return view(request, *args, **kwargs)

    return login_required(check)


def duration_text(delta: timedelta) -> str:
    """'3 h 5 min left' / 'overdue by 2 d 4 h' for the queue."""
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    else:
        text = f"{minutes} min"
    return f"overdue by {text}" if delta.total_seconds() < 0 else f"{text} left"


def _category_label(name: str) -> str:
    # Labels are not overridable, so the static table will do (no query per row).
    return (POLICY.get(name) or POLICY["other"]).label


def _sources_text(notices) -> str:
    counts = Counter(n.source for n in notices)
    return ", ".join(f"{source} ×{n}" if n > 1 else source for source, n in counts.items())


# ---- moderator console -------------------------------------------------------------------

@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    rows = []
    for case in cases.case_queue().prefetch_related("notices")[:QUEUE_LIMIT]:
        left = cases.time_left(case)
        notices = list(case.notices.all())
        rows.append({"case": case, "overdue": left.total_seconds() < 0,
                     "left": duration_text(left), "notices": len(notices),
                     "sources": _sources_text(notices),
                     "label": _category_label(case.category)})
    return render(request, "safety/queue.html", {"rows": rows, "form": BulkActionForm(),
                                                 "limit": QUEUE_LIMIT,
                                                 "budget": harm.budget_status()})


@moderator_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    form = BulkActionForm(request.POST)
    ids = request.POST.getlist("case")
    if not form.is_valid() or not ids:
        messages.error(request, "Select at least one case and an action.")
        return redirect("safety:queue")
    try:
        selected = [cases.get_case(int(case_id)) for case_id in ids]
        done = services.bulk_action(selected, request.user, form.cleaned_data["kind"],
                                    reason=form.cleaned_data["reason"])
    except (ValueError, ParleyError) as exc:
        messages.error(request, getattr(exc, "message", "Invalid selection."))
    else:
        messages.success(request, f"{ACTION_LABELS[form.cleaned_data['kind']]}: "
                                  f"{len(done)} case(s) done.")
    return redirect("safety:queue")


def _available_actions(case) -> list[tuple[str, str]]:
    """The buttons that make sense for this case's post and account right now."""
    post = case.post
    kinds: list[str] = []
    if post is not None:
        if post.state == PostState.PUBLISHED:
            kinds += [ActionKind.REMOVE, ActionKind.HOLD]
        elif post.state == PostState.HELD:
            kinds += [ActionKind.RELEASE, ActionKind.REMOVE]
        elif post.state == PostState.REMOVED:
            kinds += [ActionKind.RESTORE]
    kinds.append(ActionKind.LIMIT_REACH)
    if case.account.is_suspended:
        kinds.append(ActionKind.UNSUSPEND)
    kinds += [ActionKind.STRIKE, ActionKind.DISMISS]
    return [(kind, ACTION_LABELS[kind]) for kind in kinds]


def _screening_rows(screening: list[dict]) -> list[dict]:
    rows = []
    for result in screening:
        scores = [(detector, category, score)
                  for detector, per_category in (result.get("scores") or {}).items()
                  for category, score in (per_category or {}).items()]
        evidence = result.get("evidence")
        rows.append(result | {
            "score_rows": scores,
            "evidence_text": json.dumps(evidence, indent=2, ensure_ascii=False, default=str)
            if evidence else "",
        })
    return rows


def _render_case(request: HttpRequest, case_id: int, *, form: ActionForm | None = None,
                 error: str = "", status: int = 200) -> HttpResponse:
    try:
        detail = cases.case_detail(case_id)
    except NotFound:
        return _error(request, "No such case.", 404)
    case = detail.case
    services.record_private_content_read(
        request.user, case, [*([detail.post] if detail.post else []), *detail.thread],
        via="console")
    locked = case.claimed_by_id is not None and case.claimed_by_id != request.user.pk
    context = {
        "d": detail, "case": case, "locked": locked, "is_open": case.state in OPEN_STATES,
        "form": form or ActionForm(initial={"category": case.category, "duration": "7"}),
        "actions_available": _available_actions(case),
        "can_warn": case.post is not None and case.post.state != PostState.REMOVED,
        "can_suspend": not case.account.is_suspended,
        "screening": _screening_rows(detail.screening),
        "time_left": duration_text(cases.time_left(case)),
        "overdue": cases.time_left(case).total_seconds() < 0,
        "policy": category_policy(case.category),
        "referrals": case.referrals.order_by("-created_at"),
        "bulk_form": BulkActionForm(),
        "error": error,
    }
    return render(request, "safety/case.html", context, status=status)


@moderator_required
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_case(request, case_id)


@moderator_required
@require_POST
def claim(request: HttpRequest, case_id: int, release: bool = False) -> HttpResponse:
    try:
        case = cases.get_case(case_id)
        if release:
            services.unclaim_case(case, request.user)
        else:
            services.claim_case(case, request.user)
    except ParleyError as exc:
        return _render_case(request, case_id, error=exc.message, status=exc.status)
    messages.success(request, "Claim released." if release else "You claimed this case.")
    return redirect("safety:case", case_id=case_id)


@moderator_required
@require_POST
def act(request: HttpRequest, case_id: int) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case_id, form=form, error="Please check the form.",
                            status=422)
    data = form.cleaned_data
    try:
        case = cases.get_case(case_id)
        services.take_action(case, request.user, data["kind"],
                             category=data["category"] or None, reason=data["reason"],
                             duration=data["duration_delta"],
                             content_warning=data["content_warning"],
                             on_account=data["on_account"])
    except ParleyError as exc:
        return _render_case(request, case_id, form=form, error=exc.message, status=exc.status)
    messages.success(request, f"{ACTION_LABELS[data['kind']]}: done.")
    return redirect("safety:case", case_id=case_id)


@moderator_required
@require_POST
def cluster(request: HttpRequest, case_id: int) -> HttpResponse:
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case_id, error="Choose an action.", status=422)
    try:
        done = services.cluster_action(cases.get_case(case_id), request.user,
                                       form.cleaned_data["kind"],
                                       reason=form.cleaned_data["reason"])
    except ParleyError as exc:
        return _render_case(request, case_id, error=exc.message, status=exc.status)
    messages.success(request, f"{ACTION_LABELS[form.cleaned_data['kind']]}: "
                              f"{len(done)} near-duplicate case(s) done.")
    return redirect("safety:case", case_id=case_id)


def _download(package: dict, filename: str) -> HttpResponse:
    response = JsonResponse(package, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@moderator_required
@require_POST
def referral(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        made = services.make_referral(cases.get_case(case_id), request.user)
    except ParleyError as exc:
        return _render_case(request, case_id, error=exc.message, status=exc.status)
    return _download(services.referral_package(made), f"referral-{case_id}-{made.pk}.json")


@moderator_required
def referral_download(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    try:
        made = cases.get_case(case_id).referrals.get(pk=referral_id)
    except Exception:
        return _error(request, "No such referral.", 404)
    return _download(services.referral_package(made), f"referral-{case_id}-{made.pk}.json")


def _appeal_row(appeal: Appeal, viewer) -> dict:
    """The appealed case, and whether the viewer took the decision under appeal."""
    if appeal.statement_id:
        case_id, decided_by = appeal.statement.action.case_id, appeal.statement.action.moderator_id
    else:
        case_id, decided_by = appeal.notice.case_id, appeal.notice.case.decided_by_id
    return {"appeal": appeal, "case_id": case_id, "mine": decided_by == viewer.pk}


def _render_appeals(request: HttpRequest, *, error: str = "", status: int = 200
                    ) -> HttpResponse:
    rows = [_appeal_row(appeal, request.user) for appeal in cases.pending_appeals()]
    return render(request, "safety/appeals.html",
                  {"rows": rows, "form": AppealDecisionForm(), "error": error}, status=status)


@moderator_required
def appeals(request: HttpRequest) -> HttpResponse:
    return _render_appeals(request)


@moderator_required
@require_POST
def decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    form = AppealDecisionForm(request.POST)
    appeal = cases.pending_appeals().filter(pk=appeal_id).first()
    if appeal is None:
        return _render_appeals(request, error="This appeal is not pending.", status=404)
    if not form.is_valid():
        return _render_appeals(request, error="Write the reasons and choose uphold or reverse.",
                               status=422)
    reverse_it = form.cleaned_data["decision"] == "reverse"
    try:
        services.decide_appeal(appeal, request.user, reverse=reverse_it,
                               text=form.cleaned_data["text"])
    except ParleyError as exc:
        return _render_appeals(request, error=exc.message, status=exc.status)
    messages.success(request, "Appeal decided: the decision was "
                              + ("reversed." if reverse_it else "upheld."))
    return redirect("safety:appeals")


# ---- public notices (DSA Art. 16) --------------------------------------------------------

def notice(request: HttpRequest) -> HttpResponse:
    form = NoticeForm(request.POST or None, initial={"url": request.GET.get("url", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ratelimits.hit("notice_ip", ratelimits.client_ip(request))
            filed = services.file_public_notice(
                url=data["url"].strip(), explanation=data["explanation"],
                category=data["category"], name=data["name"], email=data["email"],
                good_faith=data["good_faith"])
        except RateLimited as exc:
            return rate_limited(request, exc)
        except ParleyError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "safety/notice_sent.html", {"notice": filed}, status=201)
    return render(request, "safety/notice.html", {"form": form},
                  status=422 if form.errors else 200)


def notice_status(request: HttpRequest, receipt: str) -> HttpResponse:
    try:
        found = cases.notice_by_receipt(receipt)
    except NotFound:
        return _error(request, "No notice has this receipt.", 404)
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimits.hit("notice_ip", ratelimits.client_ip(request))
            services.file_notice_appeal(found, form.cleaned_data["text"])
        except RateLimited as exc:
            return rate_limited(request, exc)
        except ParleyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Your appeal was received. Another moderator will "
                                      "review the decision.")
            return redirect("safety:notice_status", receipt=receipt)
    return render(request, "safety/notice_status.html", {
        "notice": found, "form": form, "appeals": found.appeals.order_by("created_at"),
        "can_appeal": found.outcome == "rejected"
        and not services.appeal_refusal(list(found.appeals.all()), found.decided_at),
        "final": services.appeal_refusal(list(found.appeals.all()), found.decided_at)
        == services.FINAL_ON_APPEAL,
        "final_text": services.FINAL_ON_APPEAL,
    })


# ---- instance rules (admins) --------------------------------------------------------------

def _render_rules(request: HttpRequest, form: RuleForm | None = None, *, error: str = "",
                  status: int = 200) -> HttpResponse:
    return render(request, "safety/rules.html", {
        "rules": cases.instance_rules(), "form": form or RuleForm(), "error": error,
    }, status=status)


@admin_required
def rules(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_rules(request)
    form = RuleForm(request.POST)
    if not form.is_valid():
        return _render_rules(request, form, status=422)
    try:
        rule = services.add_rule(request.user, form.cleaned_data["text"],
                                 form.cleaned_data["hint"])
    except ParleyError as exc:
        return _render_rules(request, form, error=exc.message, status=exc.status)
    messages.success(request, f"Rule {rule.pk} added.")
    return redirect("safety:rules")


@admin_required
@require_POST
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    form = RuleForm(request.POST)
    if not form.is_valid():
        return _render_rules(request, error="A rule needs a text of at most 300 characters.",
                             status=422)
    try:
        services.change_rule(request.user, rule_id, form.cleaned_data["text"],
                             form.cleaned_data["hint"])
    except ParleyError as exc:
        return _render_rules(request, error=exc.message, status=exc.status)
    messages.success(request, f"Rule {rule_id} changed.")
    return redirect("safety:rules")


@admin_required
@require_POST
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    try:
        services.remove_rule(request.user, rule_id)
    except ParleyError as exc:
        return _render_rules(request, error=exc.message, status=exc.status)
    messages.success(request, f"Rule {rule_id} removed.")
    return redirect("safety:rules")


# ---- statements of reasons (DSA Art. 17) -------------------------------------------------

@login_required
def statements(request: HttpRequest) -> HttpResponse:
    items = [{"s": s, "measure": ACTION_LABELS.get(s.action.kind, s.action.kind),
              "category": dsa_category_label(s.category)}
             for s in cases.statements_for(request.user)]
    return render(request, "safety/statements.html", {"rows": items})


def _render_statement(request: HttpRequest, statement, form: AppealForm | None = None,
                      status: int = 200) -> HttpResponse:
    appeal_until = statement.created_at + APPEAL_WINDOW
    appeals_made = list(statement.appeals.order_by("created_at"))
    refusal = services.appeal_refusal(appeals_made)
    context = {
        "s": statement,
        "measure": ACTION_LABELS.get(statement.action.kind, statement.action.kind),
        "source_text": SOURCE_TYPE_TEXT.get(statement.source_type, statement.source_type),
        "automated_text": AUTOMATED_DECISION_TEXT.get(statement.automated_decision,
                                                      statement.automated_decision),
        "appeal_until": appeal_until,
        "appeals": appeals_made,
        "instance": settings.PARLEY_DOMAIN,
        "category_label": dsa_category_label(statement.category),
        "content": cases.content_acted_on(statement),
        "can_appeal": statement.recipient_id == request.user.pk
        and timezone.now() <= appeal_until and not refusal
        and not statement.action.reversed_at,
        "final": refusal == services.FINAL_ON_APPEAL and not statement.action.reversed_at,
        "final_text": services.FINAL_ON_APPEAL,
        "form": form or AppealForm(),
    }
    return render(request, "safety/statement.html", context, status=status)


@login_required
def statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    try:
        found = cases.get_statement_for(request.user, statement_id)
    except NotFound:
        return _error(request, "No such statement.", 404)
    return _render_statement(request, found)


@login_required
@require_POST
def appeal(request: HttpRequest, statement_id: int) -> HttpResponse:
    try:
        found = cases.get_statement_for(request.user, statement_id)
    except NotFound:
        return _error(request, "No such statement.", 404)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _render_statement(request, found, form, status=422)
    try:
        services.file_appeal(found, request.user, form.cleaned_data["text"])
    except ParleyError as exc:
        form.add_error(None, exc.message)
        return _render_statement(request, found, form, status=exc.status)
    messages.success(request, "Your appeal was received. A different moderator will review "
                              "the decision, and you will be told the outcome.")
    return redirect(reverse("safety:statement", args=[found.pk]))
