"""A page of statuses costs the same few queries whether it holds 5 or 20 (no N+1), with
replies, echoes, media, mentions, tags, likes and bookmarks on the page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parley.accounts import services as accounts
from parley.filters import services as filters
from parley.posts import services as posts

# Queries per request, whatever the page size: token, page, tags, mentions, media (and the
# echoed originals' tags, mentions, media), the viewer's likes, echoes and bookmarks (one
# query), followers, following and post counts of the accounts shown (one query); the
# viewer's filters (one query, keywords and statuses together); and (+1, pages of statuses)
# the upsert of view counts, which the tests make on every request and a server at most
# every PARLEY_VIEW_FLUSH_SECONDS.
# Replied-to authors and polls are one query each for the page (not joins: a join's columns
# cost more to build and compile than a second query costs to run).
MAX_QUERIES = {
    "/api/v1/timelines/home": 13,  # and the newest id, where its window of ids starts
    "/api/v1/timelines/public": 11,
    "/api/v1/accounts/{author}/statuses": 13,
    "/api/v1/notifications": 10,
}
MAX_STATUS_QUERIES = 12  # an echo: its original's tags, mentions and media too; view counts;
# the viewer's filters


def _photo(owner):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 200, 30)).save(buffer, "PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    return posts.attach_media(owner, upload, description="a photo")


@pytest.fixture
def community(make_member, publish):
    """A reader who follows two authors, who post, reply, echo, mention and attach photos;
    the reader likes and bookmarks some, and is mentioned, liked and echoed back."""
    reader, author, friend = make_member("reader"), make_member("author"), make_member("friend")
    for followee in (author, friend):
        accounts.follow(reader, followee)
    accounts.follow(author, reader)
    previous = publish(reader, "my own post #mine")
    for i in range(20):
        media = [_photo(author).pk] if i % 3 == 0 else []
        post = publish(author, f"post {i} #tag{i % 3} @reader @friend", media_ids=media)
        reply = publish(friend, f"reply {i} #tag0", in_reply_to=previous)
        publish(friend, "", reblog_of=post) if i % 2 else publish(author, "", reblog_of=reply)
        posts.favourite(reader, post)
        posts.favourite(author, reply)
        if i % 4 == 0:
            posts.bookmark(reader, reply)
        previous = post
    return reader, author


def _count(django_assert_max_num_queries, api, url: str, limit: int, bound: int) -> int:
    with django_assert_max_num_queries(bound) as captured:
        response = api.get(url, {"limit": limit})
    assert response.status_code == 200
    assert len(response.json()) == limit
    return len(captured.captured_queries)


@pytest.mark.parametrize("with_filters", [False, True], ids=["no filters", "warn filters"])
@pytest.mark.parametrize("url", list(MAX_QUERIES))
def test_a_page_costs_the_same_queries_at_5_and_20_statuses(
    url, with_filters, community, api_for, django_assert_max_num_queries
):
    reader, author = community
    api = api_for(reader)
    if with_filters:
        a_filter = filters.create_filter(
            reader, title="tags", context=["home", "public", "account", "notifications"],
            keywords=[filters.KeywordChange(keyword="#tag0"),
                      filters.KeywordChange(keyword="reply", whole_word=False)])
        filters.add_filter_status(a_filter, author.posts.order_by("id").first().pk)
    url = url.format(author=author.pk)
    # A member with filters: one more, the check that it has any (most members have none).
    bound = MAX_QUERIES[url.replace(str(author.pk), "{author}")] + with_filters
    small = _count(django_assert_max_num_queries, api, url, 5, bound)
    large = _count(django_assert_max_num_queries, api, url, 20, bound)
    assert small == large


def test_one_status_costs_a_fixed_number_of_queries(
    community, api_for, django_assert_max_num_queries, publish
):
    reader, author = community
    api = api_for(reader)
    parent = publish(author, "a parent")
    reply = publish(author, "a reply #tag @reader", in_reply_to=parent,
                    media_ids=[_photo(author).pk])
    posts.favourite(reader, reply)
    echo = publish(author, "", reblog_of=reply)
    for post in (reply, echo):
        with django_assert_max_num_queries(MAX_STATUS_QUERIES):
            response = api.get(f"/api/v1/statuses/{post.pk}")
        assert response.status_code == 200
    body = response.json()
    assert body["reblog"]["favourited"] is True
    assert body["reblog"]["media_attachments"]
    assert body["reblog"]["in_reply_to_account_id"] == str(author.pk)


@pytest.fixture
def correspondents(make_member, publish):
    """A reader with 20 direct-message threads, and per correspondent a follow, a like of
    the reader's post and a mention: 20 conversations, 41 notification groups."""
    reader = make_member("reader")
    for i in range(20):
        pen = make_member(f"pen{i}")
        letter = publish(pen, f"@reader letter {i}", visibility="direct")
        publish(reader, f"@pen{i} thanks", visibility="direct", in_reply_to=letter)
        posts.favourite(pen, publish(reader, f"post {i}"))
        accounts.follow(pen, reader)
    return reader


# Token, rate limit, page, participants or samples, last statuses with tags, mentions, media,
# the viewer's flags and account counts: the same at any page size.
@pytest.mark.parametrize(("url", "items", "bound"), [
    ("/api/v1/conversations", lambda body: body, 16),
    ("/api/v2/notifications", lambda body: body["notification_groups"], 20),  # + filters
])
def test_conversations_and_groups_cost_the_same_at_5_and_20(
    url, items, bound, correspondents, api_for, django_assert_max_num_queries
):
    api = api_for(correspondents)
    counts = []
    for limit in (5, 20):
        with django_assert_max_num_queries(bound) as captured:
            response = api.get(url, {"limit": limit})
        assert len(items(response.json())) == limit
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
