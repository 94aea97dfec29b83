"""Web pages of a member's own things: direct messages, bookmarks, lists, polls and the
home timeline's live updates. Thin views over the selectors and services the API uses."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from parley.core.errors import NotFound
from parley.posts import selectors as post_selectors
from parley.timelines import selectors as timelines
from parley.timelines import services as timeline_services
from parley.web.views import DRAFT_KEY, PAGE, _timeline_context

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
