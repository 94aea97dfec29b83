"""A populated instance built through the services, and its API answers to compare."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from parley.accounts import services as account_services
from parley.accounts.models import Role
from parley.posts import services as post_services
from parley.posts.models import MediaAttachment
from parley.safety.cases import actions
from parley.safety.cases import services as case_services
from parley.timelines import services as timeline_services
from tests.posts.imagefiles import real_image

MODERATOR_SCOPES = "read write follow admin:read admin:write"


@dataclass
class Instance:
    clients: dict[str, APIClient]
    statuses: list[int]
    edited: int
    case: int
    media: int
    media_file: Path
    media_bytes: bytes


@pytest.fixture
def populated(make_member, publish, api_for) -> Instance:
    alice, bob, carol = make_member("alice"), make_member("bob"), make_member("carol")
    mod = make_member("mod", role=Role.MODERATOR)
    account_services.follow(bob, alice)
    account_services.follow(alice, bob)
    account_services.follow(carol, alice)
    account_services.mute(alice, carol)
    hello = publish(alice, "Hello #parley world")
    post_services.edit_post(alice, hello, text="Hello #parley world, edited")
    reply = publish(bob, "@alice welcome!", in_reply_to=hello)
    post_services.favourite(alice, reply)
    secret = publish(bob, "@alice a secret", visibility="direct")
    upload = SimpleUploadedFile("picture.png", real_image("PNG", (40, 30)), "image/png")
    media = post_services.attach_media(alice, upload, "a red picture")
    picture = publish(alice, "A picture", media_ids=[media.pk])
    rude = publish(carol, "You are all fools, every one of you")
    case = case_services.file_member_report(bob, carol, [rude], "violation").case
    action = actions.take_action(case, mod, "remove", reason="Insults")
    case_services.file_appeal(action.statement, carol, "Please look again")
    media = MediaAttachment.objects.get(pk=media.pk)
    post_services.bookmark(alice, reply)
    friends = timeline_services.create_list(alice, "Friends", replies_policy="followed")
    timeline_services.add_to_list(friends, [bob.pk])
    timeline_services.save_markers(alice, {"home": reply.pk})
    clients = {
        "alice": api_for(alice),
        "bob": api_for(bob),
        "carol": api_for(carol),
        "mod": api_for(mod, MODERATOR_SCOPES),
    }
    return Instance(
        clients=clients,
        statuses=[hello.pk, reply.pk, secret.pk, picture.pk, rude.pk],
        edited=hello.pk,
        case=case.pk,
        media=media.pk,
        media_file=Path(media.file.path),
        media_bytes=Path(media.file.path).read_bytes(),
    )


def api_answers(instance: Instance) -> dict:
    """What each member's app and the moderator's console see, by endpoint."""
    answers = {}
    for name, client in instance.clients.items():
        for path in ("/api/v1/accounts/verify_credentials", "/api/v1/timelines/home",
                     "/api/v1/notifications", "/api/parley/v1/statements",
                     "/api/v1/bookmarks", "/api/v1/lists", "/api/v1/markers?timeline[]=home",
                     *(f"/api/v1/statuses/{pk}" for pk in instance.statuses)):
            response = client.get(path)
            answers[f"{name} {path}"] = (response.status_code, response.json())
    alice, mod = instance.clients["alice"], instance.clients["mod"]
    for path in (f"/api/v1/statuses/{instance.edited}/history",
                 f"/api/v1/media/{instance.media}"):
        answers[f"alice {path}"] = alice.get(path).json()
    for path in (f"/api/parley/v1/cases/{instance.case}", "/api/parley/v1/cases",
                 "/api/parley/v1/appeals"):
        response = mod.get(path)
        answers[f"mod {path}"] = (response.status_code, _without_clock(response.json()))
    return answers


def _without_clock(answer: object) -> object:
    """Drop what counts down with the clock (a case's time left before its deadline)."""
    if isinstance(answer, list):
        return [_without_clock(item) for item in answer]
    if isinstance(answer, dict):
        return {k: _without_clock(v) for k, v in answer.items() if k != "time_left_seconds"}
    return answer


def export_to(path: Path) -> str:
    """Run `parley export`; return what it printed."""
    from io import StringIO

    out = StringIO()
    call_command("export", str(path), stdout=out)
    return out.getvalue()


def import_from(path: Path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import", str(path), stdout=out)
    return out.getvalue()


def empty_the_instance() -> None:
    call_command("flush", interactive=False, verbosity=0)
