"""Template context every web page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def instance(request: HttpRequest) -> dict:
    return {"max_post_chars": settings.PARLEY_MAX_POST_CHARS}
