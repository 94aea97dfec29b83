"""Moderators and private posts: on the member API and web pages a moderator is a member like
any other; private content reaches them only through a case about it, with ``admin:read``,
and each such read lands in the audit log."""

from __future__ import annotations

import pytest
from django.test import Client

from parley.posts import services as post_services
from parley.safety.cases import services as case_services
from parley.safety.models import AuditEntry

pytestmark = pytest.mark.django_db
SECRET = "meet me behind the old mill at nine"


@pytest.fixture
def dm(member, other_member):
    """alice's direct message to bob, which no moderator is part of."""
    return post_services.create_post(member, f"@bob {SECRET}", visibility="direct")


@pytest.fixture
def followers_only(member):
    return post_services.create_post(member, "only for my followers, not for mods",
                                     visibility="private")


def private_reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event="case.private_content_read").order_by("id"))


@pytest.mark.parametrize("scope", ["read", "read write follow", "read write admin:read"])
def test_moderator_cannot_open_a_strangers_dm_on_the_member_api(api_for, moderator, dm, scope):
    api = api_for(moderator, scope)
    for path in (f"/api/v1/statuses/{dm.pk}", f"/api/v1/statuses/{dm.pk}/context",
                 f"/api/v1/statuses/{dm.pk}/history", f"/api/v1/statuses/{dm.pk}/favourited_by"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert SECRET not in response.content.decode()
    listed = api.get(f"/api/v1/accounts/{dm.author_id}/statuses")
    assert listed.status_code == 200 and SECRET not in listed.content.decode()
    assert private_reads() == []


def test_moderator_cannot_open_followers_only_posts_of_someone_they_do_not_follow(
        api_for, moderator, followers_only):
    response = api_for(moderator, "read").get(f"/api/v1/statuses/{followers_only.pk}")
    assert response.status_code == 404


def test_moderator_is_a_member_on_the_web_thread_page(moderator, dm):
    client = Client()
    client.force_login(moderator)
    page = client.get(f"/@{dm.author.username}/{dm.pk}")
    assert page.status_code == 404 and SECRET not in page.content.decode()


def test_the_dm_is_readable_through_the_case_about_it_and_the_read_is_audited(
        api_for, moderator, member, other_member, dm):
    case = case_services.file_member_report(other_member, member, [dm], "violation").case
    api = api_for(moderator, "read admin:read")

    detail = api.get(f"/api/parley/v1/cases/{case.pk}")

    assert detail.status_code == 200
    assert SECRET in detail.json()["status"]["content"]
    [entry] = private_reads()
    assert entry.actor_id == moderator.pk
    assert (entry.subject_type, entry.subject_id) == ("case", str(case.pk))
    assert entry.data["post_ids"] == [dm.pk]


def test_the_case_endpoint_needs_admin_read(api_for, moderator, member, other_member, dm):
    case = case_services.file_member_report(other_member, member, [dm], "violation").case
    refused = api_for(moderator, "read write").get(f"/api/parley/v1/cases/{case.pk}")
    assert refused.status_code == 403 and SECRET not in refused.content.decode()
    assert private_reads() == []


def test_a_case_shows_none_of_the_authors_other_private_posts(
        api_for, moderator, member, other_member, followers_only):
    public = post_services.create_post(member, "you are all fools")
    case = case_services.file_member_report(other_member, member, [public], "violation").case

    detail = api_for(moderator, "read admin:read").get(f"/api/parley/v1/cases/{case.pk}").json()

    recent = {s["id"] for s in detail["author_recent_statuses"]}
    assert str(public.pk) in recent and str(followers_only.pk) not in recent
    assert private_reads() == []  # nothing private was shown


def test_the_admin_report_api_audits_the_private_posts_it_shows(
        api_for, moderator, member, other_member, dm):
    notice = case_services.file_member_report(other_member, member, [dm], "violation")
    report = api_for(moderator, "read admin:read").get(f"/api/v1/admin/reports/{notice.pk}")
    assert report.status_code == 200 and SECRET in report.json()["statuses"][0]["content"]
    assert [e.data["post_ids"] for e in private_reads()] == [[dm.pk]]


def test_the_console_case_page_audits_the_private_post_it_shows(
        moderator, member, other_member, dm):
    case = case_services.file_member_report(other_member, member, [dm], "violation").case
    client = Client()
    client.force_login(moderator)
    page = client.get(f"/moderation/cases/{case.pk}")
    assert page.status_code == 200 and SECRET in page.content.decode()
    assert [(e.data["post_ids"], e.data["via"]) for e in private_reads()] == [([dm.pk], "console")]
