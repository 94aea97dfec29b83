"""Web pages of discovery: following hashtags, trends (/explore) and the staff's
announcements on home. Thin views over parley.social and parley.discovery."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from parley.accounts import selectors as account_selectors
from parley.accounts.models import User
from parley.core.errors import NotFound, ParleyError
from parley.core.replicas import reads_from_replica
from parley.discovery import announcements, trends
from parley.social import selectors as social_selectors
from parley.social import services as social_services
from parley.web.errors import plain_error
from parley.web.views import _safe_next, _timeline_context, _viewer

TRENDING_TAGS = 10
TRENDING_POSTS = 20


def tag_follow_state(viewer: User | None, name: str) -> dict | None:
    """What the hashtag page's Follow button shows: the tag's stored name and whether the
    viewer follows it; None for visitors and for names that cannot be hashtags."""
    normalized = social_services.normalized_tag_name(name)
    if viewer is None or normalized is None:
        return None
    tag = social_selectors.find_tag(normalized)
    following = bool(tag and social_selectors.followed_tag_ids(viewer, [tag]))
    featured = bool(tag and social_selectors.featured_tag_ids(viewer, [tag]))
    return {"name": normalized, "following": following, "featured": featured}


def profile_features(viewer: User | None, account: User) -> dict:
    """What a profile features (its hashtags and endorsed accounts, as the API's
    featured_tags and endorsements) and whether the viewer endorses the account."""
    endorses = bool(viewer and viewer.pk != account.pk
                    and social_selectors.endorsed_ids(viewer, [account.pk]))
    return {
        "featured_tags": [f.tag for f in social_selectors.featured_tags_of(account)],
        "endorsed": [e.account for e in social_selectors.endorsements_of(account)
                     .order_by("id")[:40]],
        "viewer_endorses": endorses,
    }


@login_required
@require_POST
def feature_tag(request: HttpRequest, name: str, action: str) -> HttpResponse:
    """Feature a hashtag on the member's profile, or stop (``social.services``)."""
    try:
        if action == "feature":
            featured = social_services.feature_tag(request.user, name)
            messages.success(request, f"#{featured.tag.name} is featured on your profile.")
        else:
            normalized = social_services.normalized_tag_name(name) or ""
            found = [f for f in social_selectors.featured_tags_of(request.user)
                     if f.tag.name == normalized]
            if not found:
                raise NotFound("Record not found")
            social_services.unfeature_tag(request.user, found[0].pk)
            messages.success(request, f"#{normalized} is no longer on your profile.")
    except NotFound:
        return render(request, "web/error.html", {"message": "You do not feature that hashtag."},
                      status=404)
    except ParleyError as exc:
        return render(request, "web/error.html", {"message": plain_error(exc.message)},
                      status=400)
    return redirect(_safe_next(request, "web:followed_tags"))


@login_required
@require_POST
def endorse_account(request: HttpRequest, username: str, action: str) -> HttpResponse:
    """Feature a followed account on the member's profile, or stop."""
    try:
        account = account_selectors.get_account_by_username(username)
    except NotFound:
        return render(request, "web/error.html", {"message": "No such account."}, status=404)
    try:
        if action == "endorse":
            social_services.endorse(request.user, account)
            messages.success(request, f"@{account.username} is featured on your profile.")
        else:
            social_services.unendorse(request.user, account)
            messages.success(request, f"@{account.username} is no longer on your profile.")
    except ParleyError as exc:
        return render(request, "web/error.html", {"message": plain_error(exc.message)},
                      status=400)
    return redirect("web:profile", username=account.username)


@login_required
@require_POST
def follow_tag(request: HttpRequest, name: str, action: str) -> HttpResponse:
    change = social_services.follow_tag if action == "follow" else social_services.unfollow_tag
    try:
        tag = change(request.user, name)
    except ParleyError as exc:
        return render(request, "web/error.html", {"message": plain_error(exc.message)},
                      status=400)
    if action == "follow":
        messages.success(request, f"You follow #{tag.name}: its posts come to your home.")
    else:
        messages.success(request, f"You no longer follow #{tag.name}.")
    return redirect(_safe_next(request, "web:followed_tags"))


@login_required
def followed_tags(request: HttpRequest) -> HttpResponse:
    follows = social_selectors.followed_tags(request.user).order_by("tag__name")
    return render(request, "web/followed_tags.html", {"tags": [f.tag for f in follows]})


@reads_from_replica
def explore(request: HttpRequest) -> HttpResponse:
    """Trending hashtags and posts, as /api/v1/trends/tags and /trends/statuses."""
    viewer = _viewer(request)
    tags = trends.trending_tags(TRENDING_TAGS)
    for item in tags:
        item["week_uses"] = sum(int(day["uses"]) for day in item["history"])
    posts = trends.trending_posts(viewer, TRENDING_POSTS)
    context = _timeline_context(request, posts, "public")
    context["next_max_id"] = None  # ranked, not paged by id
    return render(request, "web/explore.html", context | {"trending_tags": tags})


def home_announcements(viewer: User) -> list:
    return announcements.current_announcements(viewer)


@login_required
@require_POST
def dismiss_announcement(request: HttpRequest, announcement_id: int) -> HttpResponse:
    try:
        found = announcements.get_current(announcement_id)
    except NotFound:
        return render(request, "web/error.html", {"message": "No such announcement."},
                      status=404)
    announcements.dismiss(request.user, found)
    messages.success(request, "Announcement dismissed.")
    return redirect(reverse("web:home"))
