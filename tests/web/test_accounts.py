"""Account basics on the web and the API: password strength, email confirmation,
password change and reset by email."""

import re
import smtplib

import pytest
from django.test import Client

from parley.accounts import services as account_services
from parley.accounts.models import User
from parley.posts.models import Post
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client: Client, name: str, password: str = PASSWORD):
    return client.post(
        "/signup", {"username": name, "email": f"{name}@example.org", "password": password}
    )


def link_in(mail, pattern: str = r"http://testserver(/\S+)") -> str:
    return re.search(pattern, mail.body).group(1)


@pytest.mark.parametrize("password", ["password", "12345678901", "newbie2024"])
def test_a_weak_password_is_refused_at_web_sign_up(password):
    page = sign_up(Client(), "newbie", password).content.decode()
    assert "errorlist" in page
    assert not User.objects.filter(username="newbie").exists()


def test_password_is_refused_at_api_sign_up(api_for, member):
    response = api_for(member).post(
        "/api/v1/accounts",
        {
            "username": "newbie",
            "email": "newbie@example.org",
            "password": "password",
            "agreement": True,
        },
    )
    assert response.status_code == 422
    assert "too common" in response.json()["error"]
    assert not User.objects.filter(username="newbie").exists()


def test_unconfirmed_member_cannot_log_in_until_the_link_is_followed(mailoutbox):
    client = Client()
    sign_up(client, "newbie")
    user = User.objects.get(username="newbie")
    assert user.email_confirmed is False
    assert mailoutbox[0].to == ["newbie@example.org"]

    refused = client.post("/login", {"username": "newbie", "password": PASSWORD})
    assert "confirm your email address" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    client.get(link_in(mailoutbox[0]))
    user.refresh_from_db()
    assert user.email_confirmed is True
    client.post("/login", {"username": "newbie", "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_unconfirmed_member_cannot_post():
    user = account_services.create_user("newbie", "n@example.org", PASSWORD, email_confirmed=False)
    client = Client()
    client.force_login(user)
    client.post("/compose", {"text": "hello", "visibility": "public"})
    assert not Post.objects.filter(author=user).exists()


def test_a_forged_confirmation_link_is_refused():
    response = Client().get("/confirm/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_api_sign_up_mails_a_link_and_holds_the_token(api_for, member, mailoutbox):
    response = api_for(member).post(
        "/api/v1/accounts",
        {
            "username": "appuser",
            "email": "appuser@example.org",
            "password": PASSWORD,
            "agreement": True,
        },
    )
    assert response.status_code == 403
    assert "Confirm your email" in response.json()["error"]
    assert "access_token" not in response.json()
    assert mailoutbox[0].to == ["appuser@example.org"]


def test_resend_confirmation_sends_a_new_link(mailoutbox):
    sign_up(Client(), "newbie")
    page = Client().post("/confirm/resend", {"email": "newbie@example.org"})
    assert "we sent it a new link" in page.content.decode()
    assert len(mailoutbox) == 2
    unknown = Client().post("/confirm/resend", {"email": "nobody@example.org"})
    assert unknown.content.decode().count("we sent it a new link") == 1
    assert len(mailoutbox) == 2


def test_make_member_accounts_are_confirmed(member):
    assert member.email_confirmed is True


def test_password_change(member):
    client = Client()
    client.force_login(member)
    page = client.post(
        "/settings/password",
        {
            "old_password": PASSWORD,
            "new_password1": "a much better phrase",
            "new_password2": "a much better phrase",
        },
        follow=True,
    )
    assert "Your password was changed." in page.content.decode()
    assert Client().login(username="alice", password="a much better phrase")


def test_password_reset_by_email(member, mailoutbox, settings):
    client = Client()
    client.post("/password/reset", {"email": "alice@example.org"})
    assert len(mailoutbox) == 1
    form_page = client.get(link_in(mailoutbox[0]), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "another fine phrase", "new_password2": "another fine phrase"}
    )
    assert Client().login(username="alice", password="another fine phrase")


def test_reset_link_uses_the_configured_domain_not_the_host_header(member, mailoutbox, settings):
    settings.PARLEY_DOMAIN = "parley.example"
    Client().post("/password/reset", {"email": "alice@example.org"}, HTTP_HOST="evil.example")
    assert "https://parley.example/password/reset/" in mailoutbox[0].body
    assert "evil.example" not in mailoutbox[0].body


class BrokenMailServer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("mail server went away")


def test_sign_up_whose_mail_fails_keeps_no_account(settings):
    settings.EMAIL_BACKEND = "tests.web.test_accounts.BrokenMailServer"
    page = sign_up(Client(), "newbie").content.decode()
    assert "could not send the confirmation mail" in page
    assert not User.objects.filter(username="newbie").exists()
