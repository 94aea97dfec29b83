"""The server-rendered web UI: thin views over the same services and selectors as the API."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from parley.accounts import deletion
from parley.accounts import selectors as account_selectors
from parley.accounts import services as account_services
from parley.accounts.models import FollowRequest
from parley.core import ratelimits
from parley.core.errors import NotFound, ParleyError, RateLimited
from parley.core.replicas import reads_from_replica
from parley.filters import selectors as filter_selectors
from parley.notifications import selectors as notification_selectors
from parley.posts import selectors as post_selectors
from parley.posts import services as post_services
from parley.posts.search import search_hashtags, search_posts
from parley.posts.viewcounts import record_views
from parley.timelines import selectors as timelines
from parley.web import links, poll_display
from parley.web.errors import form_error_text, plain_error
from parley.web.forms import (
    ComposeForm,
    DeleteAccountForm,
    ProfileForm,
    ReportForm,
    ResendConfirmationForm,
    SignupForm,
)

PAGE = 20


def _viewer(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _page(request: HttpRequest, queryset) -> list:
    return post_selectors.paginate(queryset, max_id=request.GET.get("max_id") or None,
                                   limit=PAGE)


def _timeline_context(request: HttpRequest, posts: list, filter_context: str | None = None
                      ) -> dict:
    """What a page of posts shows; each post on it counts as viewed. With a
    ``filter_context`` the viewer's filters apply: "hide" leaves a post out, "warn" and
    "blur" show it folded, named by the filter (``filtered_by``)."""
    next_max_id = posts[-1].pk if len(posts) == PAGE else None
    active = filter_selectors.active_filters(_viewer(request), filter_context)
    if active.filters:
        posts = [post for post in posts if not active.hides(post)]
        for post in posts:
            post.filtered_by = ", ".join(m.filter.title for m in active.matches(post))
    record_views(_viewer(request), posts)
    poll_display.attach(_viewer(request), posts)
    flags = post_selectors.viewer_flags(_viewer(request), posts)
    return {"posts": posts, "flags": flags, "next_max_id": next_max_id}


def _safe_next(request: HttpRequest, fallback: str = "web:home") -> str:
    """Where to go back to after a form: only a path on this site (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


DRAFT_KEY = "compose_draft"


def _keep_draft(request: HttpRequest, error: str) -> None:
    """A failed post keeps what was typed: the page it came from shows it again."""
    request.session[DRAFT_KEY] = {
        field: request.POST.get(field, "")
        for field in ("text", "spoiler_text", "visibility", "image_description", "in_reply_to",
                      "poll_expires_in", "poll_multiple", "poll_hide_totals")
    } | {"poll_options": request.POST.getlist("poll_option")}
    messages.error(request, error)


def _compose_form(request: HttpRequest, reply_to=None) -> ComposeForm:
    draft = request.session.get(DRAFT_KEY)
    if draft and str(draft.get("in_reply_to") or "") == str(reply_to.pk if reply_to else ""):
        del request.session[DRAFT_KEY]
        return ComposeForm(initial=draft)
    viewer = _viewer(request)
    if reply_to is None:
        return ComposeForm(initial={
            "visibility": post_services.default_visibility(None, viewer)})
    mention = f"@{reply_to.author.username} " if viewer and viewer.pk != reply_to.author_id else ""
    return ComposeForm(initial={
        "in_reply_to": reply_to.pk, "text": mention,
        "visibility": post_services.default_visibility(reply_to, viewer),
    })


def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return render(request, "web/error.html", {"message": "Too many attempts. Please wait a "
                                              "few minutes and try again."}, status=429)


@reads_from_replica
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        posts = _page(request, timelines.public_timeline(None))
        return render(request, "web/landing.html", _timeline_context(request, posts))
    from parley.web.views_discovery import home_announcements

    posts = _page(request, timelines.home_timeline(request.user))
    context = _timeline_context(request, posts, "home") | {"form": _compose_form(request),
                                                    "heading": "Home"}
    if not request.GET.get("max_id"):
        context["announcements"] = home_announcements(request.user)
    if not request.GET.get("max_id"):  # the newest page polls for newer posts
        from parley.web.views_member import live_poll_seconds

        context["live"] = {"since_id": posts[0].pk if posts else 0,
                           "poll_seconds": live_poll_seconds()}
    return render(request, "web/timeline.html", context)


@reads_from_replica
def public(request: HttpRequest) -> HttpResponse:
    posts = _page(request, timelines.public_timeline(_viewer(request), local=True))
    return render(request, "web/timeline.html",
                  _timeline_context(request, posts, "public") | {"heading": "Public timeline"})


@reads_from_replica
def tag(request: HttpRequest, name: str) -> HttpResponse:
    from parley.web.views_discovery import tag_follow_state

    posts = _page(request, timelines.tag_timeline(name, _viewer(request)))
    return render(request, "web/timeline.html",
                  _timeline_context(request, posts, "public") | {
                      "heading": f"#{name}",
                      "tag_follow": tag_follow_state(_viewer(request), name)})


def profile(request: HttpRequest, username: str) -> HttpResponse:
    try:
        account = account_selectors.get_account_by_username(username)
    except NotFound:
        return render(request, "web/error.html", {"message": "No such account."}, status=404)
    posts = _page(request, post_selectors.account_posts(account, _viewer(request)))
    pinned = [] if request.GET.get("max_id") else list(post_selectors.account_posts(
        account, _viewer(request), pinned=True).order_by("-pinned_at"))
    relationship = None
    if request.user.is_authenticated and request.user.pk != account.pk:
        relationship = account_selectors.relationships(request.user, [account])[account.pk]
    my_lists, on_lists = [], set()
    if relationship and relationship["following"]:
        my_lists = list(timelines.lists_of(request.user))
        on_lists = set(timelines.lists_containing(request.user, account).values_list(
            "pk", flat=True))
    shown = _timeline_context(request, posts + pinned, "account")
    kept = {post.pk for post in shown["posts"]}  # the viewer's filters may hide some
    context = shown | {
        "posts": [post for post in posts if post.pk in kept],
        "pinned": [post for post in pinned if post.pk in kept],
        "next_max_id": posts[-1].pk if len(posts) == PAGE else None,
        "account": account,
        "relationship": relationship, "my_lists": my_lists, "on_lists": on_lists,
        "followers": account_selectors.followers_of(account).count(),
        "following": account_selectors.followed_by(account).count(),
    }
    from parley.web.views_discovery import profile_features

    context |= profile_features(_viewer(request), account)
    return render(request, "web/profile.html", context)


def thread(request: HttpRequest, username: str, post_id: int) -> HttpResponse:
    viewer = _viewer(request)
    try:
        post = post_selectors.get_post(post_id, viewer)
    except NotFound:
        return render(request, "web/error.html", {"message": "This post is not available."},
                      status=404)
    if post.author.username.lower() != username.lower():
        return redirect("web:post", username=post.author.username, post_id=post.pk)
    ancestors, descendants = post_selectors.thread_context(post, viewer)
    everything = [*ancestors, post, *descendants]
    record_views(viewer, everything)
    poll_display.attach(viewer, everything)
    context = {
        "post": post, "ancestors": ancestors, "descendants": descendants,
        "flags": post_selectors.viewer_flags(viewer, everything),
        "form": _compose_form(request, reply_to=post),
    }
    return render(request, "web/thread.html", context)


@login_required
@require_POST
def compose(request: HttpRequest) -> HttpResponse:
    form = ComposeForm(request.POST, request.FILES)
    back = _safe_next(request)
    if not form.is_valid():
        _keep_draft(request, form_error_text(form))
        return redirect(back)
    data = form.cleaned_data
    try:
        ratelimits.hit("post_account", request.user.pk)
        reply_to = None
        if data["in_reply_to"]:
            reply_to = post_selectors.get_post(data["in_reply_to"], request.user)
        media_ids = []
        if data["image"]:
            media = post_services.attach_media(request.user, data["image"],
                                               data["image_description"])
            media_ids.append(media.pk)
        post = post_services.create_post(
            request.user, data["text"], spoiler_text=data["spoiler_text"],
            visibility=data["visibility"] or None, in_reply_to=reply_to, media_ids=media_ids,
            poll=form.poll_spec(request.POST.getlist("poll_option")),
        )
    except RateLimited as exc:
        return rate_limited(request, exc)
    except ParleyError as exc:
        _keep_draft(request, plain_error(exc.message))
        return redirect(back)
    if post.state == "held":
        messages.warning(request, "Your post is pending review. Only you can see it for now.")
    else:
        messages.success(request, "Posted.")
    return redirect(back)


def _post_fragment(request: HttpRequest, post_id: int) -> HttpResponse:
    post = post_selectors.get_post(post_id, request.user)
    flags = post_selectors.viewer_flags(request.user, [post])
    return render(request, "web/_post.html", {"post": post, "flags": flags})


@login_required
@require_POST
def post_action(request: HttpRequest, post_id: int, action: str) -> HttpResponse:
    try:
        post = post_selectors.get_post(post_id, request.user)
        target = post.reblog_of or post
        if action == "like":
            post_services.favourite(request.user, target)
        elif action == "unlike":
            post_services.unfavourite(request.user, target)
        elif action == "echo":
            post_services.create_post(request.user, reblog_of=target)
        elif action == "unecho":
            post_services.unreblog(request.user, target)
        elif action == "bookmark":
            post_services.bookmark(request.user, target)
        elif action == "unbookmark":
            post_services.unbookmark(request.user, target.pk)
        elif action in ("pin", "unpin"):
            (post_services.pin_post if action == "pin" else post_services.unpin_post)(
                request.user, post)
            if not request.headers.get("HX-Request"):
                messages.success(request, "Pinned to your profile." if action == "pin"
                                 else "Unpinned from your profile.")
        elif action == "delete":
            post_services.delete_post(request.user, post)
            if request.headers.get("HX-Request"):
                return HttpResponse("")
            messages.success(request, "Post deleted.")
            return redirect("web:profile", username=request.user.username)
        else:
            raise NotFound("Unknown action")
    except ParleyError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(plain_error(exc.message), status=exc.status)
        messages.error(request, plain_error(exc.message))
        return redirect(_safe_next(request))
    if request.headers.get("HX-Request"):
        return _post_fragment(request, post.pk)
    return redirect(_safe_next(request))


@login_required
def edit_post(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        post = post_selectors.get_post(post_id, request.user)
    except NotFound:
        return render(request, "web/error.html", {"message": "Not found."}, status=404)
    if post.author_id != request.user.pk:
        return render(request, "web/error.html", {"message": "You can only edit your own posts."},
                      status=403)
    if request.method == "POST":
        try:
            post_services.edit_post(request.user, post, text=request.POST.get("text", ""),
                                    spoiler_text=request.POST.get("spoiler_text", ""))
        except ParleyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Post updated.")
            return redirect("web:post", username=post.author.username, post_id=post.pk)
    return render(request, "web/edit.html", {"post": post})


@login_required
@require_POST
def account_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    try:
        account = account_selectors.get_account_by_username(username)
        actions = {
            "follow": account_services.follow, "unfollow": account_services.unfollow,
            "block": account_services.block, "unblock": account_services.unblock,
            "mute": account_services.mute, "unmute": account_services.unmute,
        }
        if action not in actions:
            raise NotFound("Unknown action")
        if action == "follow":
            ratelimits.hit("follow_account", request.user.pk)
        result = actions[action](request.user, account)
        if isinstance(result, FollowRequest):
            messages.success(request, f"Follow request sent: @{account.username} approves "
                                      "each new follower.")
    except RateLimited as exc:
        return rate_limited(request, exc)
    except ParleyError as exc:
        messages.error(request, exc.message)
    return redirect("web:profile", username=username)


@login_required
def follow_requests(request: HttpRequest) -> HttpResponse:
    pending = post_selectors.paginate(
        account_selectors.follow_requests_for(request.user),
        max_id=request.GET.get("max_id") or None, limit=40)
    return render(request, "web/follow_requests.html", {
        "pending": pending, "next_max_id": pending[-1].pk if len(pending) == 40 else None})


@login_required
@require_POST
def answer_follow_request(request: HttpRequest, username: str, answer: str) -> HttpResponse:
    try:
        requester = account_selectors.get_account_by_username(username)
        if answer == "authorize":
            account_services.authorize_follow_request(request.user, requester)
            messages.success(request, f"@{requester.username} now follows you.")
        else:
            account_services.reject_follow_request(request.user, requester)
            messages.success(request, f"You turned @{requester.username}'s request away.")
    except ParleyError:
        messages.error(request, "That follow request is no longer pending.")
    return redirect("web:follow_requests")


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = notification_selectors.paginate_notifications(
        notification_selectors.notifications_for(request.user),
        max_id=request.GET.get("max_id") or None, limit=40)
    return render(request, "web/notifications.html", {"items": items})


@reads_from_replica
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {"query": query, "accounts": [], "tags": [], "posts": [], "flags": {}}
    if query:
        context["accounts"] = list(account_selectors.search_accounts(query, 10))
        context["tags"] = search_hashtags(query, 10)
        posts = search_posts(query, _viewer(request), limit=20)
        context["posts"] = posts
        poll_display.attach(_viewer(request), posts)
        context["flags"] = post_selectors.viewer_flags(_viewer(request), posts)
    return render(request, "web/search.html", context)


def signup(request: HttpRequest) -> HttpResponse:
    mode = django_settings.PARLEY_REGISTRATIONS
    form = SignupForm(request.POST or None)
    if request.method == "POST" and mode != "closed" and form.is_valid():
        try:
            data = form.cleaned_data
            user = account_services.register_member_from_ip(
                ratelimits.client_ip(request), data["username"], data["email"],
                data["password"], reason=data["reason"], site_url=links.site_url(request))
        except RateLimited as exc:
            return rate_limited(request, exc)
        except ParleyError as exc:
            form.add_error(None, plain_error(exc.message))
        else:
            return _after_signup(request, user)
    return render(request, "web/signup.html", {"form": form, "mode": mode})


def _after_signup(request: HttpRequest, user) -> HttpResponse:
    if not user.email_confirmed:
        waiting = (" After that, your account is waiting for a moderator's approval."
                   if not user.is_approved else "")
        return render(request, "web/error.html", {
            "title": "Check your email",
            "message": f"We sent a link to {user.email}. Open it to confirm your address and "
                       f"activate your account.{waiting}"})
    if not user.is_approved:
        return render(request, "web/error.html", {
            "message": "Thanks! Your account is waiting for a moderator's approval.",
            "title": "Almost there"})
    login(request, user, backend="parley.accounts.backends.UsernameOrEmailBackend")
    return redirect("web:home")


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = account_services.confirm_email(token)
    except ParleyError as exc:
        return render(request, "web/error.html", {
            "title": "Link not valid", "message": exc.message,
            "resend": True}, status=400)
    if user.is_approved:
        messages.success(request, "Your email address is confirmed. You can log in now.")
    else:
        messages.success(request, "Your email address is confirmed. Your account now waits "
                                  "for a moderator's approval.")
    return redirect("web:login")


def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Ask for a new confirmation link. The answer is the same whether the address is known
    or not, so the page does not reveal who has an account."""
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimits.hit("mail_ip", ratelimits.client_ip(request))
        except RateLimited as exc:
            return rate_limited(request, exc)
        user = account_selectors.unconfirmed_account_with_email(form.cleaned_data["email"])
        if user is not None:
            account_services.send_confirmation_mail(user, links.site_url(request))
        return render(request, "web/error.html", {
            "title": "Check your email",
            "message": "If an account with that address waits for confirmation, we sent it a "
                       "new link."})
    return render(request, "web/resend_confirmation.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        try:
            ratelimits.hit("login_ip", ratelimits.client_ip(request))
            ratelimits.hit("login_account",
                           account_selectors.login_limit_key(request.POST.get("username")))
        except RateLimited as exc:
            return rate_limited(request, exc)
        return super().post(request, *args, **kwargs)


@login_required
def settings_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, request.FILES or None,
                       initial={"display_name": user.display_name, "bio": user.bio,
                                "locked": user.locked,
                                "posting_visibility": user.posting_visibility,
                                "posting_sensitive": user.posting_sensitive,
                                "posting_language": user.posting_language})
    if request.method == "POST" and form.is_valid():
        try:
            account_services.update_profile(
                user, display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"], avatar=form.cleaned_data["avatar"] or None,
                header=form.cleaned_data["header"] or None,
                locked=form.cleaned_data["locked"],
                posting_visibility=form.cleaned_data["posting_visibility"] or None,
                posting_sensitive=form.cleaned_data["posting_sensitive"],
                posting_language=form.cleaned_data["posting_language"])
        except ParleyError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Profile saved.")
            return redirect("web:profile", username=user.username)
    return render(request, "web/settings.html", {"form": form})


@login_required
def settings_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account: confirmed with the password, stopped at once, erased later."""
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deletion.request_account_deletion(request.user, form.cleaned_data["password"])
        except ParleyError as exc:
            form.add_error("password", exc.message)
        else:
            logout(request)
            return render(request, "web/account_deleted.html",
                          {"grace_days": deletion.grace_days()})
    status = 422 if request.method == "POST" else 200
    return render(request, "web/settings_delete.html",
                  {"form": form, "grace_days": deletion.grace_days()}, status=status)


def _rule_choices() -> list[tuple[str, str]]:
    from parley.safety.cases.selectors import instance_rules

    return [(str(r.pk), r.text) for r in instance_rules()]


@login_required
def report(request: HttpRequest, username: str) -> HttpResponse:
    from parley.safety.cases.services import file_member_report

    try:
        account = account_selectors.get_account_by_username(username)
    except NotFound:
        return render(request, "web/error.html", {"message": "No such account."}, status=404)
    form = ReportForm(request.POST or None, initial={"post_id": request.GET.get("post")})
    form.fields["rules"].choices = _rule_choices()
    post = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ratelimits.hit("report_account", request.user.pk)
            posts = [post_selectors.get_post(data["post_id"], request.user)] if data[
                "post_id"] else []
            file_member_report(request.user, account, posts, data["category"],
                               comment=data["comment"],
                               rule_ids=[int(r) for r in data["rules"]])
        except RateLimited as exc:
            return rate_limited(request, exc)
        except ParleyError as exc:
            form.add_error(None, plain_error(exc.message))
        else:
            return render(request, "web/report_sent.html", {"account": account})
    post_id = form["post_id"].value()
    if post_id:
        try:
            post = post_selectors.get_post(post_id, request.user)
        except (NotFound, ValueError):
            post = None
    return render(request, "web/report.html", {"form": form, "account": account, "post": post},
                  status=400 if form.errors else 200)


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:password_change")
    success_message = "Your password was changed."


class PasswordResetView(auth_views.PasswordResetView):
    """Mail a reset link. Same answer for known and unknown addresses (Django's behaviour)."""

    template_name = "web/password_reset_form.html"
    email_template_name = "web/email/password_reset.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")
    extra_email_context = {"title": django_settings.PARLEY_INSTANCE_TITLE}

    def post(self, request, *args, **kwargs):
        try:
            ratelimits.hit("mail_ip", ratelimits.client_ip(request))
        except RateLimited as exc:
            return rate_limited(request, exc)
        # The link in the mail uses the configured domain, never a forged Host header.
        self.domain_override = links.site_domain(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        form.save(
            domain_override=self.domain_override,
            use_https=links.site_url(self.request).startswith("https:"),
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")

    def form_valid(self, form):
        # The reset link reached the mailbox: that confirms the address too.
        account_services.mark_email_confirmed(form.user)
        return super().form_valid(form)
