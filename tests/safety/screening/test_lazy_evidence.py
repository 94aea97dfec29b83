"""Evidence is worked out only when an outcome is recorded, and then it is all there."""

import json

import pytest

from parley.posts import services as posts
from parley.posts.models import PostState
from parley.safety.model import inline_detector
from parley.safety.screening.base import LazyEvidence, evidence_dict


def test_lazy_evidence_is_worked_out_once_and_only_when_read():
    calls = []

    def explain():
        calls.append(1)
        return {"violence": ['"shoot" (+2.00)']}

    evidence = LazyEvidence(explain)
    assert calls == []
    assert evidence["violence"] == ['"shoot" (+2.00)']
    assert dict(evidence) == {"violence": ['"shoot" (+2.00)']} == evidence
    assert "violence" in evidence and len(evidence) == 1
    assert calls == [1]


def test_the_inline_model_explains_a_threat_when_asked():
    result = inline_detector().score("I am going to shoot you tomorrow, @bob")
    stored = json.loads(json.dumps(evidence_dict(result)))
    assert stored["violence"][0].startswith("rule: direct threat")
    assert any('"shoot"' in why for why in stored["violence"])


def test_an_everyday_post_carries_no_evidence():
    result = inline_detector().score("Does anyone know a good bakery near the station?")
    assert dict(result.evidence) == {}


@pytest.mark.django_db
def test_a_direct_threat_keeps_its_evidence_in_the_case_and_the_audit(make_member,
                                                                     cases_about):
    from parley.safety.models import AuditEntry

    author = make_member("threatener")
    post = posts.create_post(author, "I am going to shoot you tomorrow, @bob")
    post.refresh_from_db()
    # The direct-threat rule was measured 15 of 16 precise (< 0.95): a case, not a hold.
    assert post.state == PostState.PUBLISHED
    [case] = cases_about(post=post)
    reasons = case.screening[0]["evidence"]["builtin-inline"]["violence"]
    assert reasons[0].startswith("rule: direct threat") and any('"shoot"' in r for r in reasons)
    event = AuditEntry.objects.get(event="screening.case")
    assert event.data["evidence"]["builtin-inline"]["violence"] == reasons
