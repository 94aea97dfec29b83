"""The one door for posts: what a member sees after posting."""

import pytest

from parley.accounts import services as accounts
from parley.core.errors import NotAllowed, ValidationFailed
from parley.posts import selectors, services
from parley.posts.models import PostState, Visibility
from parley.timelines import selectors as timelines


@pytest.mark.django_db(transaction=True)
def test_followers_see_a_new_post_on_their_home_timeline(member, other_member):
    accounts.follow(other_member, member)
    post = services.create_post(member, "hello @bob, see #Parley")
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert post.distributed_at is not None
    assert [p.pk for p in timelines.home_timeline(other_member)] == [post.pk]
    assert [p.pk for p in timelines.tag_timeline("parley", None)] == [post.pk]
    assert 'href="/tags/parley"' in post.content_html
    assert list(post.mentions.values_list("username", flat=True)) == ["bob"]


@pytest.mark.django_db
def test_too_long_post_is_refused(member, settings):
    with pytest.raises(ValidationFailed, match="character limit of 500"):
        services.create_post(member, "x" * 501)


@pytest.mark.django_db(transaction=True)
def test_followers_only_post_needs_a_follow(member, other_member, make_member):
    stranger = make_member()
    accounts.follow(other_member, member)
    post = services.create_post(member, "for friends", visibility=Visibility.PRIVATE)
    assert selectors.get_post(post.pk, other_member).pk == post.pk
    assert not timelines.home_timeline(stranger).filter(pk=post.pk).exists()
    with pytest.raises(Exception, match="not found"):
        selectors.get_post(post.pk, stranger)


@pytest.mark.django_db
def test_only_the_author_deletes(member, other_member):
    post = services.create_post(member, "mine")
    with pytest.raises(NotAllowed):
        services.delete_post(other_member, post)
    services.delete_post(member, post)
    with pytest.raises(Exception, match="not found"):
        selectors.get_post(post.pk, member)
