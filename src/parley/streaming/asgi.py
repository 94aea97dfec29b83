"""The ASGI application of the streaming server (``uvicorn parley.streaming.asgi:application``)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
django.setup()

from parley.streaming.server import StreamingApp  # noqa: E402

application = StreamingApp()
