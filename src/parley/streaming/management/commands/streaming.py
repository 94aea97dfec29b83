"""`parley streaming`: the streaming API server (WebSocket and server-sent events) alone."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve the streaming API (/api/v1/streaming: WebSocket and server-sent events) on "
        "http://HOST:PORT; `parley serve` starts it on its port+1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("PARLEY_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PARLEY_STREAMING_PORT") or 8001)
        )

    def handle(self, *args, **options) -> None:
        import uvicorn

        from parley.streaming.server import StreamingApp

        trusted = ",".join(settings.PARLEY_TRUSTED_PROXIES)
        self.stdout.write(
            f"Parley streaming on http://{options['host']}:{options['port']}/api/v1/streaming"
        )
        self.stdout.flush()
        uvicorn.run(
            StreamingApp(),
            host=options["host"],
            port=options["port"],
            lifespan="on",
            ws="websockets-sansio",
            # Forwarded headers only from the proxies Parley trusts (none by default).
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted or None,
            log_level="info",
            access_log=False,
            # Server-sent-event streams never end by themselves: do not wait for them.
            timeout_graceful_shutdown=3,
        )
