"""Trends from local activity: hashtags several accounts use, public posts with likes and
echoes. Nothing held, removed, reported (case open), sensitive, or from a limited or
suspended account trends; moderators can hide a hashtag."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from parley.discovery import trends
from parley.posts import services as posts
from parley.posts.models import Post, PostState
from parley.safety.cases import services as cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_member):
    return [make_member(name) for name in ("ann", "ben", "cat")]


def _tags(client=None, **query):
    return [t["name"] for t in (client or APIClient()).get("/api/v1/trends/tags", query).json()]


def _statuses(client=None, **query):
    response = (client or APIClient()).get("/api/v1/trends/statuses", query)
    assert response.status_code == 200
    return [s["id"] for s in response.json()]


def test_a_tag_trends_when_several_accounts_use_it(three, publish):
    ann, ben, cat = three
    publish(ann, "#gardening is my thing")
    publish(ann, "more #gardening and #solo")
    assert _tags() == []  # one account alone does not make a trend
    publish(ben, "I like #gardening too")
    publish(cat, "#gardening #knitting")
    publish(ben, "#knitting today")
    response = APIClient().get("/api/v1/trends/tags")
    assert response.status_code == 200
    body = response.json()
    assert [t["name"] for t in body] == ["gardening", "knitting"]
    first = body[0]
    assert first["url"].endswith("/tags/gardening")
    assert len(first["history"]) == 7
    today = first["history"][0]
    assert today == {"day": today["day"], "uses": "4", "accounts": "3"}
    assert int(today["day"]) % 86400 == 0
    assert _tags(limit=1) == ["gardening"]
    page = APIClient().get("/api/v1/trends/tags", {"limit": 1})
    assert "offset=1" in page["Link"]
    assert _tags(limit=1, offset=1) == ["knitting"]
    assert [t["name"] for t in APIClient().get("/api/v1/trends").json()] == [
        "gardening", "knitting"]


def test_old_activity_does_not_trend(three, publish):
    ann, ben, _ = three
    for author in (ann, ben):
        post = publish(author, "#lastweek was fun")
        Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert _tags() == []


def test_held_removed_sensitive_limited_suspended_and_reported_posts_do_not_count(
        make_member, publish, moderator):
    authors = [make_member(f"m{i}") for i in range(6)]
    made = [publish(a, "#quietly trending") for a in authors]
    posts.transition_post(made[0], PostState.HELD)
    posts.transition_post(made[1], PostState.REMOVED)
    Post.objects.filter(pk=made[2].pk).update(sensitive=True)
    authors[3].silenced = True
    authors[3].save()
    authors[4].suspended_at = timezone.now()
    authors[4].save()
    cases.file_member_report(moderator, authors[5], [made[5]], "violation")
    assert _tags() == []
    # Control: two clean accounts make it trend.
    publish(make_member("clean1"), "#quietly here")
    publish(make_member("clean2"), "#quietly there")
    assert _tags() == ["quietly"]


def test_moderators_can_hide_a_tag(three, publish):
    ann, ben, _ = three
    publish(ann, "#buyfollowers now")
    publish(ben, "#buyfollowers cheap")
    assert _tags() == ["buyfollowers"]
    trends.hide_tag("#BuyFollowers")
    assert _tags() == [] and trends.hidden_tags() == ["buyfollowers"]
    assert trends.unhide_tag("buyfollowers")
    assert _tags() == ["buyfollowers"]


def test_statuses_trend_by_likes_and_echoes(three, publish, api_for):
    ann, ben, cat = three
    quiet = publish(ann, "nobody saw this")
    liked = publish(ann, "a liked post")
    loved = publish(ben, "a loved post")
    posts.favourite(ben, liked)
    posts.favourite(cat, loved)
    posts.create_post(cat, reblog_of=loved)
    posts.favourite(ann, loved)
    assert _statuses() == [str(loved.pk), str(liked.pk)]
    assert str(quiet.pk) not in _statuses()
    assert _statuses(limit=1, offset=1) == [str(liked.pk)]
    assert _statuses(api_for(cat, "read:statuses")) == [str(loved.pk), str(liked.pk)]
    assert APIClient().get("/api/v1/trends/statuses", {"limit": 1})["Link"]


def test_held_removed_or_reported_statuses_leave_the_trends(three, publish, moderator):
    ann, ben, cat = three
    held, removed, reported, sensitive = (publish(ann, f"post {i}") for i in range(4))
    Post.objects.filter(pk=sensitive.pk).update(sensitive=True)
    for post in (held, removed, reported, sensitive):
        posts.favourite(ben, post)
    assert len(_statuses()) == 3  # the sensitive one never trends
    posts.transition_post(held, PostState.HELD)
    posts.transition_post(removed, PostState.REMOVED)
    notice = cases.file_member_report(cat, ann, [reported], "violation")
    assert _statuses() == []
    cases.close_case(notice.case, moderator)
    assert _statuses() == [str(reported.pk)]


def test_a_muted_or_blocked_author_does_not_trend_for_the_viewer(three, publish, api_for):
    ann, ben, cat = three
    post = publish(ann, "liked")
    posts.favourite(ben, post)
    assert _statuses(api_for(cat)) == [str(post.pk)]
    from parley.accounts import services as accounts

    accounts.mute(cat, ann)
    assert _statuses(api_for(cat)) == []
    accounts.block(ben, ann)
    assert _statuses(api_for(ben)) == []


def test_links_are_empty_and_scopes_as_mastodon(member, api_for):
    assert APIClient().get("/api/v1/trends/links").json() == []
    assert api_for(member, "profile").get("/api/v1/trends/tags").status_code == 200
    assert api_for(member, "write").get("/api/v1/trends/statuses").status_code == 403
    response = APIClient().get("/api/v1/trends/tags", {"limit": "many"})
    assert response.status_code == 422 and "error" in response.json()
    assert APIClient().get("/api/v1/trends").status_code == 200


def test_the_trends_command_hides_and_lists(three, publish):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    ann, ben, _ = three
    publish(ann, "#spamtag one")
    publish(ben, "#spamtag two")
    out = StringIO()
    call_command("trends", "list", stdout=out)
    assert "#spamtag\t2 accounts today" in out.getvalue()
    call_command("trends", "hide", "#SpamTag", stdout=StringIO())
    assert _tags() == []
    out = StringIO()
    call_command("trends", "list", stdout=out)
    assert out.getvalue() == "#spamtag\thidden\n"
    with pytest.raises(CommandError, match="No hashtag"):
        call_command("trends", "hide", "nosuchtag")
    call_command("trends", "unhide", "spamtag", stdout=StringIO())
    assert _tags() == ["spamtag"]
