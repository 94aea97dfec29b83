"""A suspended member can still log in, but only to read the statement of reasons and appeal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from parley.posts import services as post_services
from parley.posts.models import Post
from parley.safety.cases.actions import take_action
from parley.safety.cases.models import Appeal
from parley.safety.cases.services import file_member_report
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(member, other_member, moderator):
    post = post_services.create_post(member, "Buy cheap pills at example.test")
    case = file_member_report(other_member, member, [post], "spam").case
    take_action(case, moderator, "suspend", reason="spam campaign", duration=timedelta(days=7))
    member.refresh_from_db()
    assert member.is_suspended
    return member


def test_suspended_member_logs_in_and_lands_on_the_statement(suspended):
    client = Client()
    response = client.post("/login", {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/statements"
    statements = client.get("/statements").content.decode()
    assert "Your account is suspended until" in statements
    assert f"/statements/{suspended.statements.get().pk}" in statements


def test_suspended_member_can_appeal_but_not_post(suspended):
    client = Client()
    client.post("/login", {"username": "alice", "password": PASSWORD})
    statement = suspended.statements.get()

    page = client.get(f"/statements/{statement.pk}")
    assert page.status_code == 200
    client.post(f"/statements/{statement.pk}/appeal", {"text": "This was not spam."})
    assert Appeal.objects.filter(statement=statement, appellant=suspended).exists()

    posts_before = Post.objects.count()
    refused = client.post("/compose", {"text": "still here", "visibility": "public"})
    assert refused.status_code == 302 and refused["Location"] == "/statements"
    assert Post.objects.count() == posts_before
    assert client.get("/public")["Location"] == "/statements"


def test_a_disabled_login_stays_closed(member):
    member.is_active = False
    member.save()
    response = Client().post("/login", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session
