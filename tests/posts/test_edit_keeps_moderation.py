"""An edit made from a copy of the post loaded earlier (an app's request that started before
the worker's fan-out or a moderator's hold) never writes that old state back."""

import pytest

from parley.posts import selectors
from parley.posts import services as posts
from parley.posts.models import Post, PostState

pytestmark = pytest.mark.django_db


def test_an_edit_keeps_the_fan_out_done_meanwhile(member, other_member,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as fan_out:
        post = posts.create_post(member, "Hello world")
    stale = Post.objects.get(pk=post.pk)  # loaded before the worker's fan-out ran
    for task in fan_out:
        task()
    distributed_at = Post.objects.get(pk=post.pk).distributed_at
    assert distributed_at is not None

    posts.edit_post(member, stale, text="Hello world, edited")

    assert Post.objects.get(pk=post.pk).distributed_at == distributed_at
    assert selectors.get_post(post.pk, other_member).text == "Hello world, edited"


def test_an_edit_never_undoes_a_hold_made_meanwhile(member, publish):
    post = publish(member, "Hello world")
    stale = Post.objects.get(pk=post.pk)
    posts.transition_post(post, PostState.HELD)

    posts.edit_post(member, stale, text="Hello world, edited")

    assert Post.objects.get(pk=post.pk).state == PostState.HELD


def test_an_edit_of_a_post_removed_meanwhile_is_refused(member, publish):
    post = publish(member, "Hello world")
    stale = Post.objects.get(pk=post.pk)
    posts.transition_post(post, PostState.HELD)
    posts.transition_post(post, PostState.REMOVED)

    with pytest.raises(Exception, match="Record not found"):
        posts.edit_post(member, stale, text="Hello world, edited")
    assert Post.objects.get(pk=post.pk).text == "Hello world"
