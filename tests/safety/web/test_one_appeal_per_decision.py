"""One appeal per decision: the decision on an appeal is final on Parley (Mastodon, DSA
Art. 20-21); further redress is out of court. The API answers 422, the page says why."""

from __future__ import annotations

import pytest

from parley.accounts.models import Role
from parley.safety.cases import services
from parley.safety.cases.models import Appeal, StatementOfReasons

pytestmark = pytest.mark.django_db
ADMIN = "read write admin:read admin:write"


@pytest.fixture
def upheld(case, moderator, make_member, member) -> StatementOfReasons:
    services.take_action(case, moderator, "remove", reason="Spam link")
    statement = StatementOfReasons.objects.get(action__case=case)
    appeal = services.file_appeal(statement, member, "It was a joke")
    services.decide_appeal(appeal, make_member("mod2", role=Role.MODERATOR), reverse=False,
                           text="It is spam.")
    return statement


def test_a_second_appeal_after_the_decision_is_refused_by_the_api(upheld, member, api_for):
    answer = api_for(member, "read write").post(
        f"/api/parley/v1/statements/{upheld.pk}/appeal", {"text": "Look again"}, format="json")
    assert answer.status_code == 422
    assert "final" in answer.json()["error"] and "out-of-court" in answer.json()["error"]
    assert Appeal.objects.filter(statement=upheld).count() == 1


def test_the_statement_page_says_the_appeal_decision_is_final(upheld, member, client_for):
    author = client_for(member)
    page = author.get(f"/statements/{upheld.pk}").content.decode()
    assert "Send appeal" not in page
    assert "the decision on an appeal is final here" in page
    refused = author.post(f"/statements/{upheld.pk}/appeal", {"text": "Look again"})
    assert refused.status_code == 422
    assert "the decision on an appeal is final here" in refused.content.decode()
    assert Appeal.objects.filter(statement=upheld).count() == 1


def test_a_rejected_report_is_appealed_once(case, moderator, make_member, other_member,
                                            api_for):
    services.take_action(case, moderator, "dismiss")
    notice = case.notices.get(reporter=other_member)
    reporter = api_for(other_member, "read write")
    url = f"/api/parley/v1/reports/{notice.pk}/appeal"
    assert reporter.post(url, {"text": "It is spam"}, format="json").status_code == 201
    services.decide_appeal(Appeal.objects.get(notice=notice),
                           make_member("mod2", role=Role.MODERATOR), reverse=False,
                           text="Not spam.")
    again = reporter.post(url, {"text": "Really, it is spam"}, format="json")
    assert again.status_code == 422 and "final" in again.json()["error"]


def test_a_reversed_report_decided_anew_can_be_appealed_again(case, moderator, make_member,
                                                              other_member, api_for):
    """A reversed appeal sends the case back to the queue: the new decision is a new one."""
    services.take_action(case, moderator, "dismiss")
    notice = case.notices.get(reporter=other_member)
    reporter = api_for(other_member, "read write")
    url = f"/api/parley/v1/reports/{notice.pk}/appeal"
    reporter.post(url, {"text": "It is spam"}, format="json")
    second = make_member("mod2", role=Role.MODERATOR)
    services.decide_appeal(Appeal.objects.get(notice=notice), second, reverse=True,
                           text="Look again.")
    case.refresh_from_db()
    services.take_action(case, make_member("mod3", role=Role.MODERATOR), "dismiss")
    assert reporter.post(url, {"text": "Still spam"}, format="json").status_code == 201
