"""Server-wide word/phrase rules: reject, hold or open a case, on posts and profiles."""

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from parley.accounts import services as accounts
from parley.accounts.models import User
from parley.core.errors import PostRejected, ValidationFailed
from parley.posts import services as posts
from parley.posts.models import Post, PostState
from parley.safety.audit import verify_chain
from parley.safety.screening import services as screening

pytestmark = pytest.mark.django_db(transaction=True)


def test_reject_rule_refuses_the_post_with_the_reason(member, audit_events):
    screening.add_rule("frobnicate the mayor", action="reject", category="violence")

    with pytest.raises(PostRejected, match="not allowed on this server") as refused:
        posts.create_post(member, "We should FR0BNICATE   the m@yor tonight")

    assert "Violence" in refused.value.message
    assert not Post.objects.filter(author=member).exists()
    assert "screening.reject.post" in audit_events()


def test_reject_rule_answers_422_with_mastodon_error_json(member, api_for):
    screening.add_rule("frobnicate", action="reject", category="violence")
    client = api_for(member)

    response = client.post("/api/v1/statuses", {"status": "let us frobnicate them"},
                           format="json")

    assert response.status_code == 422
    assert "not allowed on this server" in response.json()["error"]
    ok = client.post("/api/v1/statuses", {"status": "a frobnicator is a tool"}, format="json")
    assert ok.status_code == 200  # whole words only


def test_hold_rule_holds_the_post_for_everyone_but_its_author(member, api_for, cases_about):
    screening.add_rule("gloop the council", action="hold", category="violence",
                       note="local threat wave")
    author = api_for(member)

    created = author.post("/api/v1/statuses", {"status": "time to gloop the council"},
                          format="json")

    assert created.status_code == 200
    post = Post.objects.get(pk=created.json()["id"])
    assert post.state == PostState.HELD
    assert APIClient().get(f"/api/v1/statuses/{post.pk}").status_code == 404
    assert author.get(f"/api/v1/statuses/{post.pk}").status_code == 200
    [case] = cases_about(post=post)
    assert case.category == "violence"
    assert "rule #" in str(case.screening)


def test_case_rule_publishes_and_opens_a_case(member, cases_about, audit_events):
    screening.add_rule(r"\bcrypto-?doubler\b", is_regex=True, action="case",
                       category="scams_and_fraud")

    post = posts.create_post(member, "Try my CryptoDoubler, guaranteed!")

    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert post.distributed_at is not None
    [case] = cases_about(post=post)
    assert case.category == "scams_and_fraud"
    assert "screening.case" in audit_events()


def test_disabled_rule_does_nothing(member):
    rule = screening.add_rule("frobnicate", action="reject", category="violence")
    screening.set_rule_enabled(rule, False)

    post = posts.create_post(member, "frobnicate away")

    assert post.state == PostState.PUBLISHED


def test_content_warning_rule_only_looks_at_content_warnings(member):
    screening.add_rule("gore", action="hold", category="violence", applies_to=["cw"])

    in_text = posts.create_post(member, "no gore here, promise")
    in_cw = posts.create_post(member, "the film review", spoiler_text="G0RE")

    assert in_text.state == PostState.PUBLISHED
    assert in_cw.state == PostState.HELD


def test_editing_a_post_into_a_held_phrase_holds_it(member):
    screening.add_rule("gloop the council", action="hold", category="violence")
    post = posts.create_post(member, "a quiet evening")

    posts.edit_post(member, post, text="now gloop the council")

    post.refresh_from_db()
    assert post.state == PostState.HELD


def test_display_name_reject_rule_refuses_the_profile_update(member, api_for):
    screening.add_rule("official support", action="reject", category="scams_and_fraud",
                       applies_to=["display_name"])

    with pytest.raises(ValidationFailed, match="Display name is not allowed"):
        accounts.update_profile(member, display_name="Official  Supp0rt")
    response = api_for(member, "read write").patch(
        "/api/v1/accounts/update_credentials", {"display_name": "OFFICIAL SUPPORT"},
        format="multipart")

    assert response.status_code == 422
    assert "Display name is not allowed" in response.json()["error"]
    member.refresh_from_db()
    assert member.display_name == ""
    accounts.update_profile(member, display_name="Alice", bio="official support is not me")
    member.refresh_from_db()
    assert member.bio == "official support is not me"  # the rule covers display names only


def test_bio_hold_rule_saves_the_bio_and_opens_a_case_about_the_account(
    member, cases_about, audit_events
):
    screening.add_rule("buy followers", action="hold", category="scams_and_fraud",
                       applies_to=["bio"])

    accounts.update_profile(member, bio="I buy followers cheap")

    member.refresh_from_db()
    assert member.bio == "I buy followers cheap"
    assert "screening.profile.hold" in audit_events()
    [case] = cases_about(account=member)
    assert case.category == "scams_and_fraud"
    accounts.update_profile(member, display_name="Alice")  # unchanged bio: not screened again
    assert audit_events("screening.profile") == ["screening.profile.hold"]


def test_rules_are_managed_from_the_cli_and_every_change_is_audited(member, capsys,
                                                                     audit_events):
    call_command("safety", "rules", "add", "gloop", "--action", "hold",
                 "--category", "violence", "--applies-to", "text,cw", "--note", "wave #3")
    call_command("safety", "rules", "list")
    listing = capsys.readouterr().out
    assert "gloop" in listing and "text,cw" in listing and "wave #3" in listing
    rule_id = int(listing.split("rule #")[1].split()[0])

    assert posts.create_post(member, "gloop").state == PostState.HELD
    call_command("safety", "rules", "disable", str(rule_id))
    call_command("safety", "rules", "enable", str(rule_id))
    call_command("safety", "rules", "remove", str(rule_id))
    assert posts.create_post(member, "gloop").state == PostState.PUBLISHED

    assert audit_events("screening.rule") == [
        "screening.rule.added", "screening.rule.disabled", "screening.rule.enabled",
        "screening.rule.removed",
    ]
    assert verify_chain().ok


def test_cli_explains_bad_input():
    with pytest.raises(CommandError, match="Invalid regular expression"):
        call_command("safety", "rules", "add", "(unclosed", "--regex", "--action", "hold",
                     "--category", "violence")
    with pytest.raises(CommandError, match="Unknown field"):
        call_command("safety", "rules", "add", "x y", "--action", "hold",
                     "--category", "violence", "--applies-to", "text,signature")
    with pytest.raises(CommandError, match="No rule #999"):
        call_command("safety", "rules", "remove", "999")


def test_a_display_name_chosen_at_sign_up_is_screened_too(cases_about):
    screening.add_rule("official support", action="reject", category="scams_and_fraud",
                       applies_to=["display_name"])
    screening.add_rule("cheap followers", action="case", category="scams_and_fraud",
                       applies_to=["display_name"])

    with pytest.raises(ValidationFailed, match="Display name is not allowed"):
        accounts.create_user("helpdesk", "helpdesk@example.org", "long enough pass",
                             display_name="Official Support")
    assert not User.objects.filter(username="helpdesk").exists()

    seller = accounts.create_user("seller", "seller@example.org", "long enough pass",
                                  display_name="cheap followers here")
    [case] = cases_about(account=seller)
    assert case.category == "scams_and_fraud"
