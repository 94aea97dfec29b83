"""The web UI through Django's test client: sign-up modes, log-in limits, CSRF, media."""

import io
import re

import pytest
from django.test import Client
from PIL import Image

from parley.accounts.models import User
from parley.posts.models import Post
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signup(client: Client, name: str):
    return client.post(
        "/signup",
        {"username": name, "email": f"{name}@example.org", "password": PASSWORD, "reason": "hi"},
    )


def test_open_sign_up_logs_in_after_the_emailed_link(settings, mailoutbox):
    client = Client()
    response = signup(client, "newbie")
    assert "Check your email" in response.content.decode()
    link = re.search(r"http://testserver(/confirm/\S+)", mailoutbox[0].body).group(1)
    client.get(link)
    client.post("/login", {"username": "newbie", "password": PASSWORD})
    assert "Home" in client.get("/").content.decode()


def test_approval_mode_waits_for_a_moderator(settings):
    settings.PARLEY_REGISTRATIONS = "approval"
    page = signup(Client(), "waiting")
    assert "waiting for a moderator" in page.content.decode()
    login = Client().post("/login", {"username": "waiting", "password": PASSWORD})
    assert login.status_code == 200 and "didn't match" in login.content.decode()
    assert User.objects.get(username="waiting").is_approved is False


def test_closed_mode_creates_nobody(settings):
    settings.PARLEY_REGISTRATIONS = "closed"
    page = signup(Client(), "shutout")
    assert "closed" in page.content.decode()
    assert not User.objects.filter(username="shutout").exists()


def test_login_is_rate_limited(member, settings, monkeypatch):
    settings.PARLEY_RATE_LIMITS = True
    monkeypatch.setenv("PARLEY_RATE_LIMIT_LOGIN_ACCOUNT", "3/300")
    client = Client()
    codes = [
        client.post("/login", {"username": "alice", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_sign_up_is_rate_limited_per_ip(settings, monkeypatch):
    settings.PARLEY_RATE_LIMITS = True
    monkeypatch.setenv("PARLEY_RATE_LIMIT_SIGNUP_IP", "2/1800")
    codes = [signup(Client(), f"spam{i}").status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_posting_without_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/compose", {"text": "forged", "visibility": "public"})
    assert response.status_code == 403
    assert not Post.objects.filter(text="forged").exists()


def test_compose_with_an_image_and_alt_text(member, tmp_path):
    image = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(image, "PNG")
    image.name = "red.png"
    image.seek(0)
    client = Client()
    client.force_login(member)
    client.post(
        "/compose",
        {
            "text": "look",
            "visibility": "public",
            "image": image,
            "image_description": "a red square",
        },
    )
    post = Post.objects.get(text="look")
    assert post.media.get().description == "a red square"
    assert 'alt="a red square"' in client.get(f"/@alice/{post.pk}").content.decode()


def test_a_file_that_is_not_an_image_is_refused(member):
    fake = io.BytesIO(b"#!/bin/sh\necho not an image")
    fake.name = "evil.png"
    client = Client()
    client.force_login(member)
    response = client.post(
        "/compose", {"text": "bad", "visibility": "public", "image": fake}, follow=True
    )
    assert not Post.objects.filter(text="bad").exists()
    assert "image" in response.content.decode().lower()


def test_post_html_is_escaped(member):
    client = Client()
    client.force_login(member)
    client.post("/compose", {"text": "<script>alert(1)</script>", "visibility": "public"})
    page = client.get("/@alice").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_profile_settings_change_what_others_see(member, other_member):
    client = Client()
    client.force_login(member)
    client.post("/settings/profile", {"display_name": "Alice A.", "bio": "I like tea"})
    other = Client()
    other.force_login(other_member)
    page = other.get("/@alice").content.decode()
    assert "Alice A." in page and "I like tea" in page
