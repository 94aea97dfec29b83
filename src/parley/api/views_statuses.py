"""Statuses: create, read, edit, delete, context, echo, like; and media uploads."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import (
    AnonymousOr,
    MastodonAPIView,
    checked_text,
    id_or_404,
    page_params,
    paged_response,
    param_bool,
    param_datetime,
    param_fetch_ids,
    param_ids,
    param_list,
    param_raw,
    param_str,
    refuse_unsupported,
    viewer,
)
from parley.api.filtering import drop_hidden, loader_for
from parley.api.serializers import (
    serialize_accounts,
    serialize_media,
    serialize_one_status,
    serialize_scheduled,
    serialize_statuses,
)
from parley.core import ratelimits
from parley.core.errors import NotAllowed, NotFound, ValidationFailed
from parley.filters.selectors import ANY_CONTEXT, active_filters
from parley.posts import selectors, services
from parley.posts.models import Like, MediaAttachment, PostState
from parley.posts.polls import PollSpec
from parley.posts.scheduled import schedule_post
from parley.posts.viewcounts import record_views

# Accepted by Mastodon, not built here yet: refusing beats silently changing nothing.
NOT_YET_IN_EDITS = {
    "scheduled_at": "An edit cannot be scheduled (scheduled_at)",
}


def _poll_spec(request: Request) -> PollSpec | None:
    """``poll`` as a JSON object, or as form fields ``poll[options][]``, ``poll[expires_in]``,
    ``poll[multiple]``, ``poll[hide_totals]``; None without options."""
    raw = param_raw(request, "poll")
    if isinstance(raw, dict):
        options = raw.get("options")
        if options in (None, "", []):
            return None
        if not isinstance(options, list) or any(not isinstance(o, str) for o in options):
            raise ValidationFailed("Validation failed: poll[options] must be a list of strings")
        return PollSpec(
            options=[checked_text("poll[options]", o) for o in options],
            expires_in=_expires_in(raw.get("expires_in")),
            multiple=_truthy(raw.get("multiple")),
            hide_totals=_truthy(raw.get("hide_totals")),
        )
    if raw not in (None, ""):
        raise ValidationFailed("Validation failed: poll must be an object")
    options = param_list(request, "poll[options]")
    if not options:
        if param_raw(request, "poll[expires_in]") not in (None, ""):
            raise ValidationFailed("Validation failed: poll[options] can't be blank")
        return None
    return PollSpec(
        options=options,
        expires_in=_expires_in(param_raw(request, "poll[expires_in]")),
        multiple=param_bool(request, "poll[multiple]"),
        hide_totals=param_bool(request, "poll[hide_totals]"),
    )


def _expires_in(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValidationFailed("Validation failed: poll[expires_in] must be a number of seconds")
    text = str(value)
    if len(text) > 12:
        raise ValidationFailed("Validation failed: poll[expires_in] is out of range")
    return int(text)


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "t"}


def _in_reply_to(request: Request, user):
    reply_id = param_str(request, "in_reply_to_id")
    if not reply_id:
        return None
    return selectors.get_post(id_or_404(reply_id), user)


class StatusesView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:statuses"), "POST": "write:statuses"}

    def get(self, request: Request) -> Response:
        """Several statuses at once; those the caller may not see are left out."""
        posts = selectors.posts_by_ids(param_fetch_ids(request), viewer(request))
        return Response(serialize_statuses(posts, request))

    def post(self, request: Request) -> Response:
        when = param_datetime(request, "scheduled_at")
        if when is not None and when > timezone.now():
            # Later (at least 5 minutes ahead): a ScheduledStatus; in the past: now (Mastodon).
            scheduled = schedule_post(request.user, when, **self._post_params(request),
                                      **self._quote_params(request))
            return Response(serialize_scheduled([scheduled], request)[0])
        ratelimits.hit("post_account", request.user.pk)
        post = services.create_post(
            request.user, **self._post_params(request), **self._quote_params(request))
        post = selectors.get_post(post.pk, request.user)
        return Response(serialize_one_status(post, request))


    @staticmethod
    def _quote_params(request: Request) -> dict[str, Any]:
        # ``quote_id``: the name some forks (and Mastodon.py's older argument) use.
        quoted_id = param_str(request, "quoted_status_id") or param_str(request, "quote_id")
        return {
            "quote_of": (selectors.get_post(id_or_404(quoted_id), request.user)
                         if quoted_id else None),
            "quote_policy": param_str(request, "quote_approval_policy") or None,
        }

    @staticmethod
    def _post_params(request: Request) -> dict[str, Any]:
        return {
            "text": param_str(request, "status", "") or "",
            "spoiler_text": param_str(request, "spoiler_text", "") or "",
            # Missing: create_post picks the default (a reply keeps its parent's visibility).
            "visibility": param_str(request, "visibility") or None,
            "in_reply_to": _in_reply_to(request, request.user),
            "media_ids": param_ids(request, "media_ids"),
            # Not given: the member's defaults (source[sensitive], source[language]).
            "sensitive": (param_bool(request, "sensitive")
                          if param_raw(request, "sensitive") not in (None, "") else None),
            "language": param_str(request, "language") or None,
            "idempotency_key": request.headers.get("Idempotency-Key"),
            "poll": _poll_spec(request),
        }


class StatusView(MastodonAPIView):
    scopes = {
        "GET": AnonymousOr("read:statuses"),
        "DELETE": "write:statuses",
        "PUT": "write:statuses",
    }

    def get(self, request: Request, status_id: str) -> Response:
        filters = active_filters(viewer(request), ANY_CONTEXT)
        post = selectors.get_post(status_id, viewer(request), loader_for(filters))
        record_views(viewer(request), [post])
        return Response(serialize_statuses([post], request, filters)[0])

    def delete(self, request: Request, status_id: str) -> Response:
        post = selectors.get_post(status_id, request.user)
        data = serialize_one_status(post, request)
        services.delete_post(request.user, post)
        data["text"] = post.text
        return Response(data)

    def put(self, request: Request, status_id: str) -> Response:
        refuse_unsupported(request, NOT_YET_IN_EDITS)
        post = selectors.get_post(status_id, request.user)
        media_ids = param_ids(request, "media_ids")
        services.edit_post(
            request.user,
            post,
            text=param_str(request, "status", "") or "",
            spoiler_text=param_str(request, "spoiler_text", "") or "",
            sensitive=param_bool(request, "sensitive", post.sensitive),
            media_ids=media_ids if media_ids else None,
            # Mastodon's rule: the edit is the whole post, so no ``poll`` removes it.
            poll=_poll_spec(request),
        )
        return Response(serialize_one_status(selectors.get_post(post.pk, request.user), request))


class StatusSourceView(MastodonAPIView):
    scopes = {"GET": "read:statuses"}

    def get(self, request: Request, status_id: str) -> Response:
        post = selectors.get_post(status_id, request.user)
        if post.author_id != request.user.pk:
            raise NotFound("Record not found")
        return Response({"id": str(post.pk), "text": post.text, "spoiler_text": post.spoiler_text})


class StatusHistoryView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:statuses")}

    def get(self, request: Request, status_id: str) -> Response:
        post = selectors.get_post(status_id, viewer(request))
        current = serialize_one_status(post, request)
        versions = []
        for revision in post.revisions.order_by("id"):
            versions.append(
                {
                    "content": revision.text,
                    "spoiler_text": revision.spoiler_text,
                    "sensitive": revision.sensitive,
                    "created_at": revision.created_at.isoformat().replace("+00:00", "Z"),
                    "account": current["account"],
                    "media_attachments": [],
                    "emojis": [],
                }
            )
        versions.append(
            {
                k: current[k]
                for k in (
                    "content",
                    "spoiler_text",
                    "sensitive",
                    "account",
                    "media_attachments",
                    "emojis",
                )
            }
            | {"created_at": current["edited_at"] or current["created_at"]}
        )
        return Response(versions)


class StatusContextView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:statuses")}

    def get(self, request: Request, status_id: str) -> Response:
        user = viewer(request)
        post = selectors.get_post(status_id, user)
        ancestors, descendants = selectors.thread_context(post, user)
        filters = active_filters(user, "thread")
        return Response(
            {
                "ancestors": serialize_statuses(drop_hidden(ancestors, filters), request, filters),
                "descendants": serialize_statuses(
                    drop_hidden(descendants, filters), request, filters
                ),
            }
        )


class StatusPinView(MastodonAPIView):
    """POST /statuses/:id/pin and /unpin: the author features a post on its profile."""

    scopes = {"POST": "write:accounts"}  # as Mastodon
    pin = True

    def post(self, request: Request, status_id: str) -> Response:
        post = selectors.get_post(status_id, request.user)
        if self.pin:
            services.pin_post(request.user, post)
        else:
            services.unpin_post(request.user, post)
        return Response(serialize_one_status(post, request))


class StatusActionView(MastodonAPIView):
    """POST /statuses/:id/{reblog,unreblog,favourite,unfavourite}."""

    scopes = {"POST": "write:statuses"}
    action = ""

    def post(self, request: Request, status_id: str) -> Response:
        user = request.user
        post = selectors.get_post(status_id, user)
        if self.action == "reblog":
            echo = services.create_post(user, reblog_of=post)
            return Response(serialize_one_status(selectors.get_post(echo.pk, user), request))
        if self.action == "unreblog":
            original = post.reblog_of or post
            services.unreblog(user, original)
        elif self.action == "favourite":
            services.favourite(user, post)
        elif self.action == "unfavourite":
            services.unfavourite(user, post.reblog_of or post)
        return Response(serialize_one_status(selectors.get_post(post.pk, user), request))


class StatusBookmarkView(MastodonAPIView):
    """POST /statuses/:id/bookmark and /unbookmark (an echo's original is bookmarked)."""

    scopes = {"POST": "write:bookmarks"}
    keep = True

    def post(self, request: Request, status_id: str) -> Response:
        user = request.user
        if self.keep:
            services.bookmark(user, selectors.get_post(status_id, user))
        else:
            services.unbookmark(user, int(status_id))
        # Unbookmarking a post the user may no longer see still drops the bookmark: 404 then.
        return Response(serialize_one_status(selectors.get_post(status_id, user), request))


class StatusFavouritedByView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:accounts")}

    def get(self, request: Request, status_id: str) -> Response:
        post = selectors.get_post(status_id, viewer(request))
        users = [
            like.user
            for like in Like.objects.filter(post=post).select_related("user").order_by("-id")[:80]
            if not like.user.is_suspended
        ]
        return Response(serialize_accounts(users, request))


class StatusRebloggedByView(MastodonAPIView):
    scopes = {"GET": AnonymousOr("read:accounts")}

    def get(self, request: Request, status_id: str) -> Response:
        post = selectors.get_post(status_id, viewer(request))
        echoes = post.reblogs.filter(state=PostState.PUBLISHED).select_related("author")
        users = [e.author for e in echoes.order_by("-id")[:80] if not e.author.is_suspended]
        return Response(serialize_accounts(users, request))


class MediaUploadView(MastodonAPIView):
    scopes = {"POST": "write:media"}

    def post(self, request: Request) -> Response:
        ratelimits.hit("media_account", request.user.pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed("Validation failed: File can't be blank")
        item = services.attach_media(request.user, upload, param_str(request, "description", ""))
        return Response(serialize_media(item, request))


class MediaView(MastodonAPIView):
    # Mastodon: the media endpoints all need write:media, reading one back too.
    scopes = {"GET": "write:media", "PUT": "write:media"}

    def _own(self, request: Request, media_id: str) -> MediaAttachment:
        item = MediaAttachment.objects.filter(owner=request.user, pk=media_id).first()
        if item is None:
            raise NotFound("Record not found")
        return item

    def get(self, request: Request, media_id: str) -> Response:
        return Response(serialize_media(self._own(request, media_id), request))

    def put(self, request: Request, media_id: str) -> Response:
        item = self._own(request, media_id)
        if item.post_id is not None:
            # As Mastodon: media of a posted status change only by editing the status (which
            # marks it edited; the rendered-status cache relies on it, see api.rendered).
            raise NotFound("Record not found")
        description = param_str(request, "description")
        if description is not None:
            item = services.describe_media(item, description)
        return Response(serialize_media(item, request))


class StatusQuotesView(MastodonAPIView):
    """Quotes of a status its author may list (Mastodon 4.5): those the author may see,
    newest first, paged by id."""

    scopes = {"GET": "read:statuses"}

    def get(self, request: Request, status_id: str) -> Response:
        post = selectors.get_post(status_id, request.user)
        if post.author_id != request.user.pk:
            raise NotAllowed("Only the author of a post sees its quotes")
        quotes = selectors.visible_posts(request.user).filter(
            quote_of=post, quote_state="accepted").exclude(state=PostState.DELETED)
        page = selectors.paginate(selectors.with_related(quotes), **page_params(request))
        return paged_response(request, page, serialize_statuses(page, request))


class StatusQuoteRevokeView(MastodonAPIView):
    """The quoted post's author takes it out of a quote; answers the quoting status."""

    scopes = {"POST": "write:statuses"}

    def post(self, request: Request, status_id: str, quoting_status_id: str) -> Response:
        quoted = selectors.get_post(status_id, request.user)
        quote = selectors.get_post(quoting_status_id, request.user)
        services.revoke_quote(request.user, quoted, quote)
        return Response(serialize_one_status(selectors.get_post(quote.pk, request.user),
                                             request))


class StatusInteractionPolicyView(MastodonAPIView):
    """The author changes who may quote a post (``quote_approval_policy``)."""

    scopes = {"PUT": "write:statuses"}

    def put(self, request: Request, status_id: str) -> Response:
        post = selectors.get_post(status_id, request.user)
        services.set_quote_policy(request.user, post,
                                  param_str(request, "quote_approval_policy") or "")
        return Response(serialize_one_status(selectors.get_post(post.pk, request.user),
                                             request))
