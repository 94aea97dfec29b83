"""`parley serve`: migrate, then run and supervise the web server (gunicorn), the streaming
server (uvicorn) and the worker."""

from __future__ import annotations

import os
import signal
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from parley.core.planner import refresh_statistics
from parley.core.supervisor import Child, SupervisionFailed, supervise


class Command(BaseCommand):
    help = (
        "Run the whole server: apply migrations, start the background worker, serve "
        "the web UI and API with gunicorn on http://HOST:PORT and the streaming API on "
        "PORT+1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("PARLEY_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PARLEY_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("PARLEY_WEB_WORKERS", "2")),
            help="web server processes (default 2)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("PARLEY_WEB_THREADS", "8")),
            help="threads per web process (default 8)",
        )
        parser.add_argument(
            "--streaming-port",
            type=int,
            default=None,
            help="port of the streaming API server (default PORT+1)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background worker (run `parley worker` elsewhere)",
        )

    def handle(self, *args, **options) -> None:
        self.stdout.write("Applying database migrations...")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        refresh_statistics()
        address = f"{options['host']}:{options['port']}"
        streaming_port = options["streaming_port"] or options["port"] + 1
        # The web server tells apps where streaming is (instance urls.streaming_api).
        os.environ["PARLEY_STREAMING_PORT"] = str(streaming_port)
        children = [
            Child("web server", _gunicorn_command(address, options), give_up_after=5),
            Child("streaming server", [sys.executable, "-m", "parley.cli", "streaming",
                                       "--host", options["host"], "--port", str(streaming_port)]),
        ]
        if not options["no_worker"]:
            children.append(Child("worker", [sys.executable, "-m", "parley.cli", "worker"]))
        self.stdout.write(f"Parley is serving on http://{address} (data in {settings.DATA_DIR}), "
                          f"streaming on port {streaming_port}")
        self.stdout.flush()
        stopping = threading.Event()

        def stop(signum, frame) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            supervise(children, stopping)
        except SupervisionFailed as error:
            raise CommandError(str(error)) from None


def _gunicorn_command(address: str, options: dict) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "parley.wsgi:application",
        "--config",
        "python:parley.core.gunicorn_conf",
        "--bind",
        address,
        "--workers",
        str(options["workers"]),
        "--threads",
        str(options["threads"]),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
