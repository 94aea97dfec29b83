"""The statements-of-reasons export: DSA Transparency Database fields, batches of at most
100, and no personal data."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from parley.posts import services as post_services
from parley.safety.cases import services
from parley.safety.cases.models import StatementOfReasons
from parley.safety.transparency.export import EEA, export_statements
from parley.safety.transparency.selectors import build_report

from .conftest import days

pytestmark = pytest.mark.django_db

REQUIRED = {"puid", "decision_ground", "category", "content_type", "application_date",
            "decision_facts", "source_type", "automated_detection", "automated_decision",
            "territorial_scope", "content_date"}


def exported(directory) -> tuple[list, str]:
    files = sorted(directory.glob("*.json"))
    raw = "".join(f.read_text(encoding="utf-8") for f in files)
    return [json.loads(f.read_text(encoding="utf-8"))["statements"] for f in files], raw


def test_export_has_the_database_fields_and_no_personal_data(history, period, tmp_path):
    export_statements(period, tmp_path)
    batches, raw = exported(tmp_path)
    records = [r for batch in batches for r in batch]
    assert len(records) == StatementOfReasons.objects.count() == 6  # 5 removals, 1 suspension
    assert {r["puid"] for r in records} == set(
        StatementOfReasons.objects.values_list("puid", flat=True))
    for record in records:
        assert record.keys() >= REQUIRED
        assert record["automated_detection"] in ("Yes", "No")
        assert record["territorial_scope"] == list(EEA)
        assert record.get("decision_visibility") or record.get("decision_account")
        assert record["incompatible_content_explanation"] == record["decision_facts"]
    by_category = {r["category"]: r for r in records}
    held = by_category["STATEMENT_CATEGORY_VIOLENCE"]
    assert held["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert held["automated_detection"] == "Yes" and held["source_type"] == "SOURCE_VOLUNTARY"
    ordered = by_category["STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"]
    assert ordered["incompatible_content_illegal"] == "Yes"  # a removal order is legal ground
    suspension = next(r for r in records if r.get("decision_account"))
    assert suspension["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert suspension["end_date_account_restriction"]

    lowered = raw.lower()
    for person in history.people:
        assert person.username.lower() not in lowered
        assert person.email.lower() not in lowered
        assert not person.display_name or person.display_name.lower() not in lowered
    for text in history.texts:
        assert text.lower() not in lowered
    assert "@" not in raw  # the moderator's note named the reporter by handle and e-mail


def test_batches_hold_at_most_100_statements(make_member, moderator, period, tmp_path,
                                             django_capture_on_commit_callbacks,
                                             django_assert_max_num_queries):
    author, reporter = make_member("frank"), make_member("grace")
    for i in range(101):
        with django_capture_on_commit_callbacks(execute=True):
            post = post_services.create_post(author, f"Spam offer number {i}: cheap pills")
        case = services.file_member_report(reporter, author, [post], "spam").case
        services.take_action(case, moderator, "remove")
    files = export_statements(period, tmp_path)
    batches, _ = exported(tmp_path)
    assert [len(b) for b in batches] == [100, 1] and len(files) == 2
    assert {r["category"] for b in batches for r in b} == {"STATEMENT_CATEGORY_SCAMS_AND_FRAUD"}
    # the report's query count does not grow with the number of actions (19 for 7 actions)
    with django_assert_max_num_queries(19):
        report = build_report(period)
    assert report["actions"]["by_type"] == {"remove": 101}
    assert report["exposure"]["actioned_posts"] == 101


def test_export_command_writes_the_files(history, period, tmp_path):
    first, last = days(period)
    out = io.StringIO()
    call_command("safety", "export-statements", "--from", first, "--to", last,
                 "--out", str(tmp_path / "sor"), stdout=out)
    assert "Exported 6 statements of reasons" in out.getvalue()
    batches, _ = exported(tmp_path / "sor")
    assert sum(len(b) for b in batches) == 6
