"""`parley worker`: run background tasks (fan-out, screening, notices, purges)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker of the configured task backend."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=0.2,
            help="seconds between polls of the database queue",
        )

    def handle(self, *args, **options) -> None:
        from django.conf import settings

        backend = settings.TASKS["default"]["BACKEND"]
        if backend.startswith("django_tasks_db"):
            call_command("db_worker", interval=options["interval"], no_startup_delay=True)
        elif backend.startswith("django_tasks_rq"):
            call_command("rqworker", "default")
        else:
            self.stdout.write(f"Task backend {backend} runs tasks in-process; no worker needed.")
