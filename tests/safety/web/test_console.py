"""The moderator console through Django's test client: who may enter, and every action."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parley.accounts.models import Role, User
from parley.posts.models import Post
from parley.safety.cases.models import Case, Notice, Referral, StatementOfReasons, Strike

pytestmark = pytest.mark.django_db


def moderation_urls(case_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/moderation/"),
        ("get", f"/moderation/cases/{case_id}"),
        ("get", "/moderation/appeals"),
        ("get", f"/moderation/cases/{case_id}/referrals/1"),
        ("post", "/moderation/bulk"),
        ("post", f"/moderation/cases/{case_id}/claim"),
        ("post", f"/moderation/cases/{case_id}/unclaim"),
        ("post", f"/moderation/cases/{case_id}/act"),
        ("post", f"/moderation/cases/{case_id}/cluster"),
        ("post", f"/moderation/cases/{case_id}/referral"),
        ("post", "/moderation/appeals/1"),
    ]


def act(client: Client, case: Case, kind: str, **fields):
    return client.post(f"/moderation/cases/{case.pk}/act", {"kind": kind, **fields})


@pytest.fixture
def mod(client_for, moderator) -> Client:
    return client_for(moderator)


@pytest.fixture
def second_moderator(make_member) -> User:
    return make_member("mod2", role=Role.MODERATOR)


def test_members_get_403_on_every_moderation_page(case, member, client_for):
    client = client_for(member)
    for method, url in moderation_urls(case.pk):
        response = getattr(client, method)(url, {"kind": "remove"})
        assert response.status_code == 403, url
    assert Post.objects.get(pk=case.post_id).state == "published"


def test_anonymous_visitors_are_sent_to_log_in(case):
    for method, url in moderation_urls(case.pk):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login?next="), url


def test_moderators_and_admins_see_the_moderation_link(member, moderator, admin_user,
                                                        client_for):
    assert "/moderation/" not in client_for(member).get("/").content.decode()
    assert "/moderation/" in client_for(moderator).get("/").content.decode()
    assert client_for(admin_user).get("/moderation/").status_code == 200


def test_queue_lists_open_cases_with_notices_deadline_and_claim(
        case, mod, make_member, report_post, member, moderator):
    other = report_post(make_member("carol"), member, "second questionable post")
    Case.objects.filter(pk=other.pk).update(deadline=timezone.now() - timedelta(hours=2),
                                            escalated=True)
    # A second report on the first post joins the same case.
    from parley.safety.cases.services import file_member_report

    file_member_report(make_member("dave"), member, [case.post], "violation")
    mod.post(f"/moderation/cases/{case.pk}/claim")

    page = mod.get("/moderation/").content.decode()

    assert page.index(f"Case {other.pk}") < page.index(f"Case {case.pk}")  # escalated first
    assert "Escalated" in page and "overdue by 2 h" in page
    assert "member ×2" in page  # two member reports, one case
    assert "left" in page  # time left to the deadline of the other case
    assert "Scams and fraud" in page
    row = page[page.index(f"Case {case.pk}"):]
    assert ">you<" in row[:row.index("</tr>")]


def test_case_detail_shows_notices_thread_author_posts_and_blurred_media(
        member, other_member, report_post, mod):
    case = report_post(member, other_member, "look at this picture", image=True)
    page = mod.get(f"/moderation/cases/{case.pk}").content.decode()
    assert "look at this picture" in page
    assert "please look" in page  # the reporter's comment
    assert "from @bob" in page
    assert 'class="reveal-toggle"' in page and "Reveal media (1)" in page
    assert "Recent posts of @alice" in page and "Prior strikes of @alice" in page


def test_claim_keeps_other_moderators_from_deciding(case, mod, second_moderator, client_for):
    assert mod.post(f"/moderation/cases/{case.pk}/claim").status_code == 302
    other = client_for(second_moderator)

    page = other.get(f"/moderation/cases/{case.pk}").content.decode()
    assert "Claimed by @mod" in page
    assert "<fieldset disabled>" in page

    assert other.post(f"/moderation/cases/{case.pk}/claim").status_code == 409
    refused = act(other, case, "remove")
    assert refused.status_code == 409
    assert "Another moderator" in refused.content.decode()
    assert Post.objects.get(pk=case.post_id).state == "published"

    mod.post(f"/moderation/cases/{case.pk}/unclaim")
    assert act(other, case, "remove").status_code == 302
    assert Post.objects.get(pk=case.post_id).state == "removed"


def test_remove_sends_a_statement_of_reasons_and_tells_the_reporter(case, mod, member):
    response = act(mod, case, "remove", reason="Spam link", category="scams_and_fraud")
    assert response.status_code == 302
    assert "Remove post: done." in mod.get(response["Location"]).content.decode()
    assert Post.objects.get(pk=case.post_id).state == "removed"
    statement = StatementOfReasons.objects.get(recipient=member)
    assert "Spam link" in statement.facts
    assert Notice.objects.get(case=case, source="member").outcome == "actioned"


@pytest.mark.parametrize(
    "before, kind, fields, check",
    [
        (None, "hold", {}, lambda post, author: post.state == "held"),
        ("hold", "release", {}, lambda post, author: post.state == "published"),
        ("remove", "restore", {}, lambda post, author: post.state == "published"),
        (None, "content_warning", {"content_warning": "Medical imagery"},
         lambda post, author: post.spoiler_text == "Medical imagery" and post.sensitive),
        (None, "limit_reach", {}, lambda post, author: post.limited),
        (None, "suspend", {"duration": "7"}, lambda post, author: author.is_suspended and abs(
            author.suspended_until - timezone.now() - timedelta(days=7)) < timedelta(minutes=5)),
        (None, "suspend", {"duration": "1"}, lambda post, author: author.is_suspended and
         author.suspended_until < timezone.now() + timedelta(days=2)),
        (None, "suspend", {"duration": "30"}, lambda post, author: author.is_suspended and
         author.suspended_until > timezone.now() + timedelta(days=29)),
        (None, "suspend", {"duration": "permanent"},
         lambda post, author: author.is_suspended and author.suspended_until is None),
        ("suspend", "unsuspend", {}, lambda post, author: not author.is_suspended),
        (None, "strike", {}, lambda post, author: Strike.objects.filter(account=author).exists()),
        (None, "dismiss", {},
         lambda post, author: post.state == "published" and not Case.objects.filter(
             post=post, state__in=["open", "in_review"]).exists()),
    ],
)
def test_each_action_through_the_console(case, mod, member, before, kind, fields, check):
    if before:
        assert act(mod, case, before, duration="permanent").status_code == 302
    response = act(mod, case, kind, reason="checked", **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(pk=case.post_id)
    assert check(post, User.objects.get(pk=member.pk))
    history = mod.get(f"/moderation/cases/{case.pk}").content.decode()
    assert "Actions taken" in history and "checked" in history


def test_content_warning_needs_its_text(case, mod):
    response = act(mod, case, "content_warning")
    assert response.status_code == 422
    assert "Write the content warning" in response.content.decode()
    assert Post.objects.get(pk=case.post_id).spoiler_text == ""


def test_bulk_action_on_selected_cases(case, mod, make_member, report_post, other_member):
    second = report_post(make_member("erin"), other_member, "more of the same spam")
    response = mod.post("/moderation/bulk",
                        {"case": [case.pk, second.pk], "kind": "remove", "reason": "spam wave"})
    assert response.status_code == 302
    assert "2 case(s) done" in mod.get("/moderation/").content.decode()
    assert set(Post.objects.filter(pk__in=[case.post_id, second.post_id])
               .values_list("state", flat=True)) == {"removed"}


def test_bulk_without_selection_changes_nothing(case, mod):
    mod.post("/moderation/bulk", {"kind": "remove"})
    assert "Select at least one case" in mod.get("/moderation/").content.decode()
    assert Post.objects.get(pk=case.post_id).state == "published"


def test_referral_downloads_a_json_package_and_is_recorded(case, mod):
    response = mod.post(f"/moderation/cases/{case.pk}/referral")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    package = json.loads(response.content)
    assert "Buy cheap pills" in json.dumps(package)
    referral = Referral.objects.get(case=case)
    again = mod.get(f"/moderation/cases/{case.pk}/referrals/{referral.pk}")
    assert json.loads(again.content) == package
    assert "Referral made" in mod.get(f"/moderation/cases/{case.pk}").content.decode()


def test_a_held_post_shows_its_detector_scores_and_evidence(member, mod):
    from parley.posts import services as post_services
    from parley.safety.screening.services import add_rule

    add_rule("miracle cure", action="hold", category="scams_and_fraud")
    post = post_services.create_post(member, "Try this miracle cure today")
    assert post.state == "held"
    queue = mod.get("/moderation/").content.decode()
    assert "screening" in queue and ">held<" in queue
    case = Case.objects.get(post=post)
    page = mod.get(f"/moderation/cases/{case.pk}").content.decode()
    assert "Detector scores and evidence" in page and "No screening results" not in page
    assert "miracle cure" in page.split("Detector scores and evidence")[1]
    assert "Release post" in page
    act(mod, case, "release")
    assert Post.objects.get(pk=post.pk).state == "published"


def test_a_case_about_an_account_offers_account_actions_only(member, other_member, mod):
    from parley.safety.cases.services import file_member_report

    case = file_member_report(other_member, member, [], "spam", comment="bot account").case
    page = mod.get(f"/moderation/cases/{case.pk}").content.decode()
    assert "The account" in page and "bot account" in page
    assert "Remove post" not in page and "Suspend account" in page
    assert act(mod, case, "suspend", duration="1").status_code == 302
    assert User.objects.get(pk=member.pk).is_suspended


def test_the_queue_costs_the_same_queries_for_many_cases(
        mod, make_member, report_post, other_member, django_assert_max_num_queries):
    for i in range(3):
        report_post(make_member(f"q{i}"), other_member, f"spam number {i}")
    with django_assert_max_num_queries(12) as few:
        mod.get("/moderation/")
    for i in range(3, 15):
        report_post(make_member(f"q{i}"), other_member, f"spam number {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = mod.get("/moderation/").content.decode()
    assert "15 open cases" in page


def test_near_duplicates_are_shown_and_removed_as_a_cluster(member, make_member, other_member,
                                                            report_post, mod):
    from parley.posts import services as post_services

    text = "Send 50 euros to claim your prize at totally-real-lottery dot example today"
    case = report_post(member, other_member, text)
    copies = [post_services.create_post(make_member(f"copy{i}"), text + "!") for i in range(2)]
    page = mod.get(f"/moderation/cases/{case.pk}").content.decode()
    assert "Near-duplicates (2)" in page and "Apply to the cluster" in page

    response = mod.post(f"/moderation/cases/{case.pk}/cluster",
                        {"kind": "remove", "reason": "lottery scam wave"})
    assert response.status_code == 302
    assert "2 near-duplicate case(s) done" in mod.get(response["Location"]).content.decode()
    assert {Post.objects.get(pk=c.pk).state for c in copies} == {"removed"}
    assert Post.objects.get(pk=case.post_id).state == "published"  # the case itself is separate


def test_console_actions_need_the_csrf_token(case, moderator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert act(client, case, "remove").status_code == 403
    assert Post.objects.get(pk=case.post_id).state == "published"


def test_reach_limit_and_label_can_cover_the_whole_account(case, mod, member):
    assert act(mod, case, "limit_reach", on_account="on").status_code == 302
    assert act(mod, case, "content_warning", content_warning="Spam",
               on_account="on").status_code == 302
    author = User.objects.get(pk=member.pk)
    assert author.silenced and author.sensitized
    assert not Post.objects.get(pk=case.post_id).limited  # the account, not just the post
