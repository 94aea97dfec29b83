"""Member pages through Django's test client: replies keep their privacy, no open
redirects, held posts, plain words, the Content-Security-Policy header."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parley.accounts import services as account_services
from parley.posts import services as post_services
from parley.posts.models import Post, PostState

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- a reply is as private as its parent unless the author says otherwise ----------------


def test_api_reply_to_a_direct_post_without_visibility_stays_direct(
    member, other_member, api_for, publish
):
    dm = publish(member, "@bob secret plans", visibility="direct")
    response = api_for(other_member).post(
        "/api/v1/statuses", {"status": "@alice sounds good", "in_reply_to_id": str(dm.pk)}
    )
    assert response.status_code == 200
    assert response.json()["visibility"] == "direct"
    public = Client().get("/api/v1/timelines/public").json()
    assert all("sounds good" not in s["content"] for s in public)


def test_api_reply_may_widen_when_asked_explicitly(member, other_member, api_for, publish):
    dm = publish(member, "@bob secret plans", visibility="direct")
    response = api_for(other_member).post(
        "/api/v1/statuses",
        {"status": "going public", "in_reply_to_id": str(dm.pk), "visibility": "public"},
    )
    assert response.json()["visibility"] == "public"


def test_api_post_without_visibility_is_public(member, api_for):
    response = api_for(member).post("/api/v1/statuses", {"status": "hello"})
    assert response.json()["visibility"] == "public"


def test_web_reply_form_preselects_the_parent_visibility(member, other_member, publish):
    followers_only = publish(member, "for friends", visibility="private")
    account_services.follow(other_member, member)
    page = logged_in(other_member).get(f"/@alice/{followers_only.pk}").content.decode()
    assert '<option value="private" selected>' in page
    assert "Followers only" in page  # the post shows its visibility


# -- compose ------------------------------------------------------------------------------


def test_a_too_long_post_keeps_the_text_and_says_why_in_plain_words(member, settings):
    settings.PARLEY_MAX_POST_CHARS = 20
    client = logged_in(member)
    text = "This draft is far too long for the limit"
    page = client.post(
        "/compose", {"text": text, "visibility": "unlisted", "next": "/"}, follow=True
    ).content.decode()
    assert "Your post is too long: at most 20 characters" in page
    assert "Validation failed" not in page
    assert f">{text}</textarea>" in page
    assert '<option value="unlisted" selected>' in page
    assert not Post.objects.filter(author=member).exists()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "http:/\\evil.example"]
)
def test_compose_next_cannot_leave_the_site(member, target):
    response = logged_in(member).post(
        "/compose", {"text": "hi", "visibility": "public", "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_post_action_next_cannot_leave_the_site(member, other_member):
    post = post_services.create_post(other_member, "like me")
    response = logged_in(member).post(f"/posts/{post.pk}/like", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    same_site = logged_in(member).post(f"/posts/{post.pk}/unlike", {"next": "/public"})
    assert same_site["Location"] == "/public"


# -- small things ---------------------------------------------------------------------------


def test_held_post_offers_no_like_or_reply(member):
    post = post_services.create_post(member, "awaiting review")
    Post.objects.filter(pk=post.pk).update(state=PostState.HELD)
    page = logged_in(member).get("/@alice").content.decode()
    assert "Pending review" in page
    assert "Like (" not in page and "Reply (" not in page


def test_new_post_says_now_and_one_follower_is_singular(member, other_member, publish):
    publish(member, "just now")
    account_services.follow(other_member, member)
    page = Client().get("/@alice").content.decode()
    assert ">now</time>" in page and "0\xa0minutes" not in page
    assert "1 follower ·" in page


def test_older_post_says_how_long_ago(member, publish):
    post = publish(member, "a while back")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert "3\xa0hours ago" in Client().get("/@alice").content.decode()


def test_unknown_page_is_a_styled_404():
    response = Client().get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'href="/static/web/parley.css"' in response.content.decode()


def test_every_page_has_a_strict_content_security_policy(member):
    policy = Client().get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert "unsafe-inline" in Client().get("/api/docs")["Content-Security-Policy"]


def test_favicon_is_served():
    page = Client().get("/").content.decode()
    assert 'rel="icon" href="/static/web/favicon.svg"' in page


def test_oauth_consent_form_may_redirect_only_to_the_clients_callback():
    policy = Client().get(
        "/oauth/authorize", {"redirect_uri": "https://client.example/cb", "client_id": "x"}
    )["Content-Security-Policy"]
    assert policy.endswith("form-action 'self' https://client.example")
    forged = Client().get("/oauth/authorize", {"redirect_uri": "https://a.example/; script-src *"})
    assert "script-src *" not in forged["Content-Security-Policy"]


def test_server_error_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong" in page and "/static/web/parley.css" in page
