"""Fixtures of the safety web pages: logged-in clients and a reported post's case."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from parley.posts import services as post_services
from parley.safety.cases.services import file_member_report


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def png(name: str = "pic.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def report_post():
    """``reporter`` reports ``author``'s new post; returns the notice's case."""

    def make(author, reporter, text: str = "Buy cheap pills at example.test", *,
             image: bool = False, category: str = "spam"):
        media_ids = []
        if image:
            media_ids = [post_services.attach_media(author, png(), "a picture").pk]
        post = post_services.create_post(author, text, media_ids=media_ids)
        return file_member_report(reporter, author, [post], category, comment="please look").case

    return make


@pytest.fixture
def case(member, other_member, report_post):
    return report_post(member, other_member)
