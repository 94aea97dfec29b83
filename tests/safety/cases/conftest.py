"""Fixtures of the case tests: posts made through the real services, reports, notifiers."""

from __future__ import annotations

import pytest

from parley.safety.cases import services


@pytest.fixture
def post_by(publish):
    """A post others may see: created and fanned out (see ``publish``)."""

    def make(author, text: str = "An ordinary post about gardening"):
        return publish(author, text)

    return make


@pytest.fixture
def reported(post_by, make_member):
    """A post by ``author`` reported by a fresh member; returns the case."""

    def make(author, text: str = "Everyone on this street is a fool",
             category: str = "violation"):
        post = post_by(author, text)
        return services.file_member_report(make_member(), author, [post], category,
                                           comment="threat").case

    return make


@pytest.fixture
def notifier_of():
    def make(kind: str = "hosting_provider", name: str | None = None):
        return services.create_notifier(name or f"{kind} desk", kind)

    return make


def post_url(post) -> str:
    return f"http://localhost/@{post.author.username}/{post.pk}"
