"""The public notice form (DSA Art. 16): no account needed, a receipt, its status page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from parley.posts import services as post_services
from parley.safety.cases.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(member):
    return post_services.create_post(member, "I will find you and hurt you")


def fill(post, **changes) -> dict:
    return {"url": f"http://testserver/@{post.author.username}/{post.pk}",
            "category": "violence", "explanation": "A threat against a named person.",
            "name": "Pat Doe", "email": "pat@example.org", "good_faith": "on", **changes}


def test_the_form_explains_itself_to_anonymous_visitors():
    page = Client().get("/notice").content.decode()
    for label in ["Exact URL of the content", "Why is this content illegal",
                  "Your name (optional)", "Your email (optional)", "in good faith",
                  "Violence"]:
        assert label in page, label


def test_a_notice_gets_a_receipt_which_is_emailed_and_trackable(
        post, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/notice", fill(post))
    assert response.status_code == 201
    page = response.content.decode()
    receipt = re.search(r'class="receipt">([^<]+)<', page).group(1)
    assert "We emailed this receipt to pat@example.org" in page
    assert any(receipt in message.body or receipt in message.subject for message in mail.outbox)

    status = Client().get(f"/notice/{receipt}").content.decode()
    assert "Under review" in status

    mod = Client()
    mod.force_login(moderator)
    queue = mod.get("/moderation/").content.decode()
    assert "public" in queue and "Violence" in queue
    case_id = re.search(r'/moderation/cases/(\d+)"', queue).group(1)
    mod.post(f"/moderation/cases/{case_id}/act", {"kind": "remove"})
    assert "we took action" in Client().get(f"/notice/{receipt}").content.decode()


def test_without_email_the_page_says_to_keep_the_receipt(post):
    page = Client().post("/notice", fill(post, email="", name="")).content.decode()
    assert "Keep this id" in page and "emailed" not in page


def test_good_faith_statement_is_required(post):
    data = fill(post)
    del data["good_faith"]
    response = Client().post("/notice", data)
    assert response.status_code == 422
    assert 'class="receipt"' not in response.content.decode()
    assert "Please confirm this statement" in response.content.decode()
    assert not Notice.objects.filter(source="public").exists()


def test_urls_of_other_servers_are_refused(post):
    response = Client().post("/notice", fill(post, url="https://elsewhere.example/@x/1"))
    assert response.status_code == 422
    assert "elsewhere.example" in response.content.decode()  # the form keeps what was typed
    assert not Notice.objects.filter(source="public").exists()


def test_unknown_receipt_is_404():
    assert Client().get("/notice/nosuchreceipt").status_code == 404


def test_notice_form_is_rate_limited_per_ip(post, settings, monkeypatch):
    settings.PARLEY_RATE_LIMITS = True
    monkeypatch.setenv("PARLEY_RATE_LIMIT_NOTICE_IP", "2/3600")
    codes = [Client().post("/notice", fill(post)).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_a_rejected_notice_can_be_appealed_from_its_receipt_page(post, moderator):
    page = Client().post("/notice", fill(post, email="")).content.decode()
    receipt = re.search(r'class="receipt">([^<]+)<', page).group(1)
    notice = Notice.objects.get(receipt=receipt)
    mod = Client()
    mod.force_login(moderator)
    mod.post(f"/moderation/cases/{notice.case_id}/act", {"kind": "dismiss"})

    status = Client().get(f"/notice/{receipt}").content.decode()
    assert "no action taken" in status and "Send appeal" in status
    sent = Client().post(f"/notice/{receipt}", {"text": "It really is a threat."})
    assert sent.status_code == 302
    after = Client().get(sent["Location"]).content.decode()
    assert "pending" in after and "Send appeal" not in after
    assert "It really is a threat." in mod.get("/moderation/appeals").content.decode()
