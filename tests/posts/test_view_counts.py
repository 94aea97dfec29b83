"""Post views: counted for every post a timeline or a single read shows to someone else,
summed per post and hour, never a row per view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from parley.accounts import services as accounts
from parley.posts import viewcounts
from parley.posts.models import PostViewCount
from tests.conftest import PASSWORD


def views_of(post) -> int:
    return sum(PostViewCount.objects.filter(post=post).values_list("count", flat=True))


@pytest.fixture(autouse=True)
def _nothing_pending():
    viewcounts.discard_pending_views()
    yield
    viewcounts.discard_pending_views()


def test_timelines_and_single_reads_count_a_view_per_post_shown(
    member, other_member, make_member, api_for, publish
):
    accounts.follow(other_member, member)
    first = publish(member, "first #garden")
    second = publish(member, "second")
    reader = api_for(other_member)

    assert reader.get("/api/v1/timelines/home").status_code == 200  # both posts
    assert reader.get("/api/v1/timelines/public").status_code == 200  # both again
    assert reader.get("/api/v1/timelines/tag/garden").status_code == 200  # first only
    assert reader.get(f"/api/v1/statuses/{first.pk}").status_code == 200
    assert reader.get(f"/api/v1/accounts/{member.pk}/statuses").status_code == 200
    assert Client().get("/public").status_code == 200  # an anonymous visitor, web
    assert Client().get(f"/@{member.username}/{second.pk}").status_code == 200

    assert views_of(first) == 6
    assert views_of(second) == 5
    # One row per post and hour, however many views.
    assert PostViewCount.objects.filter(post__in=[first, second]).count() == 2


def test_the_author_viewing_their_own_posts_does_not_count(member, api_for, publish):
    post = publish(member, "my own words")
    mine = api_for(member)
    mine.get("/api/v1/timelines/home")
    mine.get(f"/api/v1/statuses/{post.pk}")
    mine.get(f"/api/v1/accounts/{member.pk}/statuses")
    web = Client()
    web.login(username=member.username, password=PASSWORD)
    web.get("/")
    web.get(f"/@{member.username}/{post.pk}")
    assert views_of(post) == 0


def test_an_echo_counts_for_the_post_it_shows(member, other_member, make_member, api_for,
                                              publish):
    original = publish(member, "worth sharing")
    echo = publish(other_member, "", reblog_of=original)
    reader = make_member("carol")
    accounts.follow(reader, other_member)
    api_for(reader).get("/api/v1/timelines/home")
    assert views_of(original) == 1 and views_of(echo) == 0


def test_buffered_views_add_up_in_one_row_per_post_and_hour(member, other_member, publish,
                                                           settings):
    settings.PARLEY_VIEW_FLUSH_SECONDS = 3600  # buffer, as a server does between flushes
    post = publish(member, "popular")
    for _ in range(250):
        viewcounts.record_views(other_member, [post])
    viewcounts.record_views(None, [post, post])
    assert views_of(post) == 0  # still in memory
    assert viewcounts.flush_views() == 1
    viewcounts.record_views(other_member, [post])
    viewcounts.flush_views()  # adds to the hour's row, does not overwrite it
    row = PostViewCount.objects.get(post=post)
    assert row.count == 253
    assert row.hour == viewcounts.current_hour()


def test_views_before_a_time_leave_out_later_hours(member, publish):
    post = publish(member, "seen, acted on, seen again")
    hour = viewcounts.current_hour()
    PostViewCount.objects.create(post=post, hour=hour - timedelta(hours=2), count=7)
    PostViewCount.objects.create(post=post, hour=hour, count=5)
    PostViewCount.objects.create(post=post, hour=hour + timedelta(hours=1), count=40)
    acted = hour + timedelta(minutes=30)
    assert viewcounts.views_before([post.pk], {post.pk: acted}) == {post.pk: 12}
