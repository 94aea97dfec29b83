"""A small moderation history made through the real services, for the transparency tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from parley.posts import services as post_services
from parley.safety.cases import services
from parley.safety.cases.models import Case, StatementOfReasons
from parley.safety.screening import services as screening
from parley.safety.transparency.selectors import Period

HELD_WORD = "zorblat"  # a rule holds posts with this word at ingest
FLAGGED_WORD = "flurble"  # a rule publishes but opens a case


@dataclass
class History:
    authors: list = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    people: list = field(default_factory=list)  # everyone whose name must not leak
    posts: dict = field(default_factory=dict)


def period_around_today() -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=2), today + timedelta(days=1))


@pytest.fixture(autouse=True)
def _screening_by_rules_only(settings):
    """As on a server with the built-in model switched off: screening is the word rules only,
    so the history's numbers do not depend on how a model scores its texts."""
    settings.PARLEY_BUILTIN_MODEL = False


@pytest.fixture
def period() -> Period:
    return period_around_today()


@pytest.fixture
def history(make_member, moderator, django_capture_on_commit_callbacks) -> History:
    """Six posts and what happened to them:

    held    -- held by screening at ingest (violence), removed; appeal upheld
    flagged -- published, flagged by screening, later reported by a member, removed
    reported -- reported by a member, removed, author suspended for 7 days
    wrong   -- reported by a member, removed, appeal reversed
    fine    -- reported by a member, dismissed
    ordered -- removal order from an authority, removed before its deadline
    """
    h = History()
    second_moderator = make_member("mod2", role="moderator", display_name="Moderator Two")
    screening.add_rule(HELD_WORD, action="hold", category="violence")
    screening.add_rule(FLAGGED_WORD, action="case", category="illegal_or_harmful_speech")
    author = make_member("carol", display_name="Carol Author")
    other = make_member("dave", display_name="Dave Writer")
    reporter = make_member("erin", display_name="Erin Reporter")
    h.authors, h.people = [author, other], [author, other, reporter, moderator,
                                            second_moderator]
    now = timezone.now()

    def post(key, who, text, age=timedelta(0)):
        with django_capture_on_commit_callbacks(execute=True):
            h.posts[key] = post_services.create_post(who, text, created_at=now - age)
        h.texts.append(text)
        return h.posts[key]

    post("held", author, f"I will {HELD_WORD} the whole council tonight")
    post("flagged", other, f"People from that town are {FLAGGED_WORD} vermin", timedelta(hours=2))
    post("reported", author, "Meet me outside and I will break your teeth", timedelta(hours=1))
    post("wrong", other, "Citing the lyric: burn it all down, a protest song", timedelta(hours=3))
    post("fine", other, "My neighbour's tomatoes are better than mine")
    post("ordered", author, "Instructions for the attack on the station", timedelta(hours=4))

    def case_of(key):
        return Case.objects.filter(post=h.posts[key]).order_by("-id").first()

    services.file_member_report(reporter, other, [h.posts["flagged"]], "violation",
                                comment="dehumanising")
    for key, who in (("reported", author), ("wrong", other), ("fine", other)):
        services.file_member_report(reporter, who, [h.posts[key]], "violation",
                                    comment=f"please look at @{who.username}")
    notifier, _ = services.create_notifier("Police unit", "authority")
    services.file_notifier_notice(
        notifier, url=f"http://localhost/@{author.username}/{h.posts['ordered'].pk}",
        explanation="Terrorist content, removal order 2026/17", category="risk_for_public_security",
        removal_order=True)

    for key in ("held", "flagged", "reported", "wrong", "ordered"):
        services.take_action(case_of(key), moderator, "remove",
                             reason=f"Reported by @{reporter.username} ({reporter.email})")
    services.take_action(case_of("reported"), moderator, "suspend", duration=timedelta(days=7))
    services.take_action(case_of("fine"), moderator, "dismiss")

    upheld = services.file_appeal(_statement(h.posts["held"]), author, "It was a joke")
    services.decide_appeal(upheld, second_moderator, reverse=False, text="A threat is a threat")
    reversed_ = services.file_appeal(_statement(h.posts["wrong"]), other, "Song lyric")
    services.decide_appeal(reversed_, second_moderator, reverse=True, text="Quoting a song")
    return h


def _statement(post):
    return StatementOfReasons.objects.get(action__case__post=post, action__kind="remove")


def days(period: Period) -> tuple[str, str]:
    return period.first.isoformat(), period.last.isoformat()

