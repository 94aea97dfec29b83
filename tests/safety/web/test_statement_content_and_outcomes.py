"""A statement of reasons quotes the post to its author and names the category in words;
appellants and reporters learn the decision in their notifications (web and API), not only
by email."""

from __future__ import annotations

import pytest

from parley.accounts.models import Role
from parley.safety.cases import services
from parley.safety.cases.models import Appeal, StatementOfReasons

pytestmark = pytest.mark.django_db
POST_TEXT = "Buy cheap pills at example.test"  # the case fixture's post


@pytest.fixture
def removed(case, moderator) -> StatementOfReasons:
    services.take_action(case, moderator, "remove", reason="Spam link")
    return StatementOfReasons.objects.get(action__case=case)


def test_the_statement_quotes_the_post_and_names_the_category(removed, member, client_for,
                                                              api_for):
    page = client_for(member).get(f"/statements/{removed.pk}").content.decode()
    assert "Your post" in page and POST_TEXT in page
    assert "Scams and fraud" in page and "STATEMENT_CATEGORY" not in page
    listing = client_for(member).get("/statements").content.decode()
    assert "Remove post" in listing and "Scams and fraud" in listing and POST_TEXT in listing
    entity = api_for(member, "read").get(f"/api/parley/v1/statements/{removed.pk}").json()
    assert entity["content"]["text"] == POST_TEXT and not entity["content"]["purged"]
    assert entity["category_label"] == "Scams and fraud"
    assert entity["category"] == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"  # the DSA code stays


def test_a_purged_post_is_said_to_be_gone(removed, member, client_for):
    from parley.posts.models import Post

    Post.objects.filter(pk=removed.action.case.post_id).update(text="")
    page = client_for(member).get(f"/statements/{removed.pk}").content.decode()
    assert "no longer kept" in page


def test_the_author_is_notified_when_the_appeal_succeeds(removed, member, make_member,
                                                         client_for, api_for):
    appeal = services.file_appeal(removed, member, "It was a joke")
    services.decide_appeal(appeal, make_member("mod2", role=Role.MODERATOR), reverse=True,
                           text="Satire.")
    page = client_for(member).get("/notifications").content.decode()
    assert "Your appeal was decided: it succeeded" in page
    assert f'href="/statements/{removed.pk}"' in page
    notes = api_for(member, "read").get("/api/v1/notifications").json()
    decided = next(n for n in notes if n["type"] == "appeal_decided")
    assert decided["outcome"]["outcome"] == "reversed"
    assert decided["outcome"]["url"].endswith(f"/statements/{removed.pk}")
    assert decided["account"]["id"] == str(member.pk)  # from the instance, not a moderator


def test_the_reporter_is_notified_when_the_report_is_decided(case, moderator, other_member,
                                                             client_for, api_for):
    services.take_action(case, moderator, "remove")
    notice = case.notices.get(reporter=other_member)
    page = client_for(other_member).get("/notifications").content.decode()
    assert "Your report was decided: we took action" in page
    assert f'href="/notice/{notice.receipt}"' in page
    notes = api_for(other_member, "read").get("/api/v1/notifications").json()
    [decided] = [n for n in notes if n["type"] == "report_decided"]
    assert decided["outcome"] == {"subject_id": str(notice.pk), "outcome": "actioned",
                                  "url": f"http://testserver/notice/{notice.receipt}"}


def test_a_rejected_report_and_its_appeal_reach_the_reporter(case, moderator, make_member,
                                                             other_member, client_for):
    services.take_action(case, moderator, "dismiss")
    notice = case.notices.get(reporter=other_member)
    reporter = client_for(other_member)
    assert "we took no action" in reporter.get("/notifications").content.decode()
    services.file_notice_appeal(notice, "It really is spam")
    services.decide_appeal(Appeal.objects.get(notice=notice),
                           make_member("mod2", role=Role.MODERATOR), reverse=False, text="No.")
    assert "the decision stands" in reporter.get("/notifications").content.decode()
