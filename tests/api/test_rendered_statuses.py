"""The rendered-status cache (api.rendered): a status read twice is the same status, a
changed post is never shown as it was, and a second read skips what the cache holds."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from parley.api import rendered
from parley.posts import services as posts


def _photo(owner, description="a red square"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 10, 30)).save(buffer, "PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    return posts.attach_media(owner, upload, description=description)


@pytest.fixture
def busy_post(member, other_member, publish):
    """A reply with a hashtag, a mention, a photo and a poll-free body, liked by the reader."""
    parent = publish(other_member, "what are you reading?")
    post = publish(member, "The new #novel is great, @bob", in_reply_to=parent,
                   media_ids=[_photo(member).pk])
    posts.favourite(other_member, post)
    return post


@pytest.mark.django_db
def test_a_status_read_from_the_cache_is_the_status_rendered_afresh(
    busy_post, other_member, api_for
):
    api = api_for(other_member)
    first = api.get(f"/api/v1/statuses/{busy_post.pk}").json()
    cached = api.get(f"/api/v1/statuses/{busy_post.pk}").json()
    rendered.forget_all()
    fresh = api.get(f"/api/v1/statuses/{busy_post.pk}").json()
    assert first == cached == fresh
    assert cached["tags"][0]["name"] == "novel"
    assert cached["mentions"][0]["username"] == "bob"
    assert cached["media_attachments"][0]["description"] == "a red square"
    assert cached["in_reply_to_account_id"] == str(other_member.pk)
    assert cached["favourited"] is True  # the viewer's own flags are never cached


@pytest.mark.django_db
def test_an_edit_is_shown_at_once_after_the_post_was_read(busy_post, member, other_member,
                                                          api_for):
    reader = api_for(other_member)
    assert "The new" in reader.get(f"/api/v1/statuses/{busy_post.pk}").json()["content"]
    assert "The new" in reader.get(f"/api/v1/accounts/{member.pk}/statuses").json()[0]["content"]
    edited = api_for(member).put(f"/api/v1/statuses/{busy_post.pk}",
                                 {"status": "Changed my mind about this #book"})
    assert edited.status_code == 200
    shown = reader.get(f"/api/v1/statuses/{busy_post.pk}").json()
    assert "Changed my mind" in shown["content"]
    assert [t["name"] for t in shown["tags"]] == ["book"]
    assert shown["mentions"] == []
    assert shown["edited_at"] is not None
    page = reader.get(f"/api/v1/accounts/{member.pk}/statuses").json()
    assert "Changed my mind" in page[0]["content"]


@pytest.mark.django_db
def test_counts_and_moderation_marks_are_never_stale(busy_post, member, other_member,
                                                     make_member, api_for):
    reader = api_for(other_member)
    assert reader.get(f"/api/v1/statuses/{busy_post.pk}").json()["favourites_count"] == 1
    posts.favourite(make_member("carol"), busy_post)
    from parley.posts.models import Post

    Post.objects.filter(pk=busy_post.pk).update(sensitive=True, spoiler_text="marked by mods")
    shown = reader.get(f"/api/v1/statuses/{busy_post.pk}").json()
    assert shown["favourites_count"] == 2
    assert shown["sensitive"] is True and shown["spoiler_text"] == "marked by mods"


@pytest.mark.django_db
def test_media_of_a_posted_status_are_described_only_by_editing_it(busy_post, member, api_for):
    api = api_for(member)
    media_id = busy_post.media.get().pk
    refused = api.put(f"/api/v1/media/{media_id}", {"description": "something else"})
    assert refused.status_code == 404
    assert refused.json() == {"error": "Record not found"}
    shown = api.get(f"/api/v1/statuses/{busy_post.pk}").json()
    assert shown["media_attachments"][0]["description"] == "a red square"
    unposted = _photo(member, "draft")
    described = api.put(f"/api/v1/media/{unposted.pk}", {"description": "final words"})
    assert described.status_code == 200 and described.json()["description"] == "final words"


@pytest.mark.django_db
def test_a_second_read_of_a_page_does_not_read_tags_mentions_or_media_again(
    member, other_member, publish, api_for
):
    from parley.accounts import services as accounts

    accounts.follow(other_member, member)
    for i in range(5):
        publish(member, f"post {i} #daily with @bob", media_ids=[_photo(member).pk])
    api = api_for(other_member)

    def queries_of_a_read() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            page = api.get("/api/v1/timelines/home").json()
        assert len(page) == 5 and page[0]["tags"][0]["name"] == "daily"
        return [q["sql"] for q in captured.captured_queries]

    first, second = queries_of_a_read(), queries_of_a_read()
    reads_of_relations = (  # how each relation of the page's posts is read
        'SELECT ("posts_post_tags"."post_id")',
        'SELECT ("posts_post_mentions"."post_id")',
        'SELECT "posts_mediaattachment"."id"',
    )
    for read in reads_of_relations:
        assert any(q.startswith(read) for q in first)
        assert not any(q.startswith(read) for q in second)
    assert len(second) <= len(first) - 3
