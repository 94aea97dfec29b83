"""Web pages of a member's own things: direct messages, bookmarks, lists, polls and the
home timeline's live updates. Thin views over the selectors and services the API uses."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from parley.accounts import selectors as account_selectors
from parley.core.errors import NotFound, ParleyError
from parley.posts import polls
from parley.posts import selectors as post_selectors
from parley.timelines import selectors as timelines
from parley.timelines import services as timeline_services
from parley.web.errors import plain_error
from parley.web.views import DRAFT_KEY, PAGE, _page, _safe_next, _timeline_context

CONVERSATIONS_PAGE = 20


def _not_found(request: HttpRequest, message: str = "Not found.") -> HttpResponse:
    return render(request, "web/error.html", {"message": message}, status=404)


# -- direct messages -----------------------------------------------------------------------


@login_required
def conversations(request: HttpRequest) -> HttpResponse:
    max_id = request.GET.get("max_id") or None
    if max_id is not None and not max_id.isdigit():
        raise Http404
    rows = timelines.paginate_conversations(
        timelines.conversations_of(request.user), max_id=max_id, limit=CONVERSATIONS_PAGE)
    items = timelines.conversations_for_rows(request.user, rows)
    return render(request, "web/conversations.html", {
        "items": items,
        "next_max_id": rows[-1]["last_id"] if len(rows) == CONVERSATIONS_PAGE else None,
    })


def _conversation_row(request: HttpRequest, conversation_id: int) -> dict | None:
    try:
        return timelines.get_conversation_row(request.user, conversation_id)
    except NotFound:  # not one of the member's conversations
        return None


@login_required
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    row = _conversation_row(request, conversation_id)
    if row is None:
        return _not_found(request, "No such conversation.")
    posts = timelines.conversation_posts(request.user, row["thread"])
    item = timelines.conversations_for_rows(request.user, [row])[0]
    timeline_services.mark_conversation_read(request.user, row["thread"], row["last_id"])
    # A reply answers the newest message others may see (never one's own held message).
    last = next((p for p in reversed(posts) if p.state != "held"), None)
    draft = request.session.get(DRAFT_KEY)
    if last is not None and draft and str(draft.get("in_reply_to") or "") == str(last.pk):
        del request.session[DRAFT_KEY]
        text = draft.get("text", "")
    else:
        text = "".join(f"@{account.username} " for account in item.accounts)
    context = _timeline_context(request, posts) | {
        "conversation": item, "reply_to": last, "text": text, "next_max_id": None}
    return render(request, "web/conversation.html", context)


@login_required
@require_POST
def hide_conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    row = _conversation_row(request, conversation_id)
    if row is None:
        return _not_found(request, "No such conversation.")
    timeline_services.hide_conversation(request.user, row["thread"], row["last_id"])
    messages.success(request, "Conversation removed from your list. A new message brings it "
                              "back.")
    return redirect("web:conversations")


# -- bookmarks -----------------------------------------------------------------------------


@login_required
def bookmarks(request: HttpRequest) -> HttpResponse:
    max_id = request.GET.get("max_id") or None
    if max_id is not None and not max_id.isdigit():
        raise Http404
    kept = post_selectors.paginate(post_selectors.bookmarks_of(request.user), max_id=max_id,
                                   limit=PAGE)
    posts = post_selectors.posts_of_bookmarks(kept)
    context = _timeline_context(request, posts) | {
        "heading": "Bookmarks", "empty": "No bookmarks yet: the Bookmark button under a post "
        "keeps it here, visible only to you.",
        "next_max_id": kept[-1].pk if len(kept) == PAGE else None}
    return render(request, "web/timeline.html", context)


# -- lists ---------------------------------------------------------------------------------


def _own_list(request: HttpRequest, list_id: int):
    try:
        return timelines.get_list(request.user, list_id)
    except NotFound:
        return None


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    title, error = "", None
    if request.method == "POST":
        title = request.POST.get("title", "")
        try:
            created = timeline_services.create_list(request.user, title)
        except ParleyError as exc:
            error = plain_error(exc.message)
        else:
            messages.success(request, f"List “{created.title}” created.")
            return redirect("web:list", list_id=created.pk)
    return render(request, "web/lists.html", {
        "lists": timelines.lists_of(request.user), "title": title, "error": error,
    }, status=400 if error else 200)


def _list_page(request: HttpRequest, a_list, *, title=None, error=None) -> HttpResponse:
    posts = _page(request, timelines.list_timeline(a_list))
    members = list(timelines.list_memberships(a_list).order_by("account__username"))
    addable = account_selectors.followed_by(request.user).exclude(
        pk__in=[entry.account_id for entry in members]).order_by("username")[:500]
    context = _timeline_context(request, posts, "home") | {
        "list": a_list, "members": members, "addable": addable,
        "title": a_list.title if title is None else title, "error": error,
        "empty": "No posts yet from the accounts on this list.",
    }
    return render(request, "web/list.html", context, status=400 if error else 200)


@login_required
def list_page(request: HttpRequest, list_id: int) -> HttpResponse:
    a_list = _own_list(request, list_id)
    if a_list is None:
        return _not_found(request, "No such list.")
    return _list_page(request, a_list)


@login_required
@require_POST
def rename_list(request: HttpRequest, list_id: int) -> HttpResponse:
    a_list = _own_list(request, list_id)
    if a_list is None:
        return _not_found(request, "No such list.")
    title = request.POST.get("title", "")
    try:
        timeline_services.update_list(a_list, title=title)
    except ParleyError as exc:
        return _list_page(request, a_list, title=title,
                          error=plain_error(exc.message))
    messages.success(request, "List renamed.")
    return redirect("web:list", list_id=a_list.pk)


@login_required
@require_POST
def delete_list(request: HttpRequest, list_id: int) -> HttpResponse:
    a_list = _own_list(request, list_id)
    if a_list is None:
        return _not_found(request, "No such list.")
    timeline_services.delete_list(a_list)
    messages.success(request, f"List “{a_list.title}” deleted.")
    return redirect("web:lists")


@login_required
@require_POST
def list_members(request: HttpRequest, list_id: int) -> HttpResponse:
    """Add (``username``) or, with ``remove``, take an account off one of your lists."""
    a_list = _own_list(request, list_id)
    if a_list is None:
        return _not_found(request, "No such list.")
    back = _safe_next(request) if request.POST.get("next") else reverse(
        "web:list", kwargs={"list_id": a_list.pk})
    username = request.POST.get("username", "")
    try:
        account = account_selectors.get_account_by_username(username)
        if request.POST.get("remove"):
            timeline_services.remove_from_list(a_list, [account.pk])
            messages.success(request, f"@{account.username} is off “{a_list.title}”.")
        else:
            timeline_services.add_to_list(a_list, [account.pk])
            messages.success(request, f"@{account.username} is on “{a_list.title}”.")
    except NotFound:
        messages.error(request, "Choose an account to add.")
    except ParleyError as exc:
        messages.error(request, plain_error(exc.message))
    return redirect(back)


# -- polls ---------------------------------------------------------------------------------


@login_required
@require_POST
def poll_vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    try:
        poll = post_selectors.get_poll(poll_id, request.user)
    except NotFound:
        return _not_found(request, "This poll is not available.")
    back = _safe_next(request)
    choices = [int(c) for c in request.POST.getlist("choice") if c.isdigit() and len(c) < 4]
    if not choices:
        messages.error(request, "Choose an option before voting.")
        return redirect(back)
    try:
        polls.vote(request.user, poll, choices)
    except ParleyError as exc:
        messages.error(request, plain_error(exc.message))
    else:
        messages.success(request, "Your vote is in.")
    return redirect(back)


# -- live updates of the home timeline ------------------------------------------------------

LIVE_BATCH = 40


def live_poll_seconds() -> int:
    return int(getattr(django_settings, "PARLEY_HOME_POLL_SECONDS", 20))


def home_new(request: HttpRequest) -> HttpResponse:
    """htmx polls this from the home timeline: "N new posts" newer than ``since_id``; with
    ``show=1`` the new posts themselves (oldest batch first) and the next poller."""
    if not request.user.is_authenticated:
        return HttpResponse(status=286)  # htmx stops polling
    since_id = request.GET.get("since_id", "0")
    if not since_id.isdigit() or len(since_id) > 19:
        return HttpResponse("since_id must be a post id", status=400)
    newer = timelines.home_timeline(request.user).filter(pk__gt=int(since_id))
    context = {"poll_seconds": live_poll_seconds(), "since_id": since_id}
    if request.GET.get("show"):
        posts = post_selectors.paginate(newer, min_id=since_id, limit=LIVE_BATCH)
        context |= _timeline_context(request, posts, "home") | {"next_max_id": None}
        context["new_posts"] = posts
        context["since_id"] = posts[0].pk if posts else since_id
        context["count"] = 0
    else:
        context["count"] = newer.count()
    return render(request, "web/_live.html", context)


# -- filters -------------------------------------------------------------------------------

FILTER_CONTEXTS = [
    ("home", "Home timeline and lists"), ("notifications", "Notifications"),
    ("public", "Public and tag timelines"), ("thread", "Threads"), ("account", "Profiles"),
]
FILTER_ACTIONS = [
    ("warn", "Show it behind a warning"), ("hide", "Hide it completely"),
    ("blur", "Blur its images"),
]
FILTER_EXPIRY = [
    ("", "Never"), ("3600", "1 hour"), ("21600", "6 hours"), ("86400", "1 day"),
    ("604800", "1 week"), ("2592000", "30 days"),
]


def _filter_form(request: HttpRequest) -> dict:
    if request.method != "POST":
        return {"title": "", "keywords": "", "whole_word": True, "context": ["home"],
                "action": "warn", "expires_in": ""}
    return {"title": request.POST.get("title", ""),
            "keywords": request.POST.get("keywords", ""),
            "whole_word": bool(request.POST.get("whole_word")),
            "context": request.POST.getlist("context"),
            "action": request.POST.get("filter_action", "warn"),
            "expires_in": request.POST.get("expires_in", "")}


@login_required
def filters(request: HttpRequest) -> HttpResponse:
    from parley.filters import selectors as filter_selectors
    from parley.filters import services as filter_services

    form, error = _filter_form(request), None
    if request.method == "POST":
        words = [line.strip() for line in form["keywords"].splitlines() if line.strip()]
        expires = form["expires_in"]
        try:
            if not words:
                raise ParleyError("Add at least one word or phrase to filter.")
            if expires and not expires.isdigit():
                raise ParleyError("Choose when the filter ends.")
            created = filter_services.create_filter(
                request.user, title=form["title"], context=form["context"],
                filter_action=form["action"], expires_in=int(expires) if expires else None,
                keywords=[filter_services.KeywordChange(keyword=word,
                                                        whole_word=form["whole_word"])
                          for word in words])
        except ParleyError as exc:
            error = plain_error(exc.message)
            if "Context" in exc.message:
                error = "Choose where the filter applies."
        else:
            messages.success(request, f"Filter “{created.title}” saved.")
            return redirect("web:filters")
    return render(request, "web/filters.html", {
        "filters": [
            {"filter": f, "action": dict(FILTER_ACTIONS).get(f.filter_action, f.filter_action),
             "where": [dict(FILTER_CONTEXTS).get(c, c) for c in f.contexts],
             "ended": f.expires_at is not None and f.expires_at <= timezone.now()}
            for f in filter_selectors.filters_of(request.user)],
        "form": form, "error": error,
        "contexts": FILTER_CONTEXTS, "actions": FILTER_ACTIONS, "expiry": FILTER_EXPIRY,
    }, status=400 if error else 200)


@login_required
@require_POST
def delete_filter(request: HttpRequest, filter_id: int) -> HttpResponse:
    from parley.filters import selectors as filter_selectors
    from parley.filters import services as filter_services

    try:
        a_filter = filter_selectors.get_filter(request.user, filter_id)
    except NotFound:
        return _not_found(request, "No such filter.")
    filter_services.delete_filter(a_filter)
    messages.success(request, f"Filter “{a_filter.title}” deleted.")
    return redirect("web:filters")
