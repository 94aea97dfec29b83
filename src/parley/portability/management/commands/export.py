"""`parley export FILE`: the whole instance in one archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand
from rich.progress import Progress

from parley.portability.services import count_rows, export_instance


class Command(BaseCommand):
    help = (
        "Write the whole instance into one archive: every table (accounts with their "
        "password hashes, posts and their edits, follows, notifications, OAuth applications "
        "and tokens, cases, notices, decisions, statements, appeals, strikes, rules, the audit "
        "log, ...) and every media file, with a manifest and a SHA-256 per file. Restore it "
        "on the new host with `parley import FILE`. Stop `parley serve` first, so nothing "
        "changes while the export runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write (a zip file)")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        with Progress(transient=True) as progress:
            bar = progress.add_task("exporting rows", total=count_rows())
            manifest = export_instance(path, progress=lambda n: progress.advance(bar, n))
        self.stdout.write(
            f"Exported {manifest.rows} rows from {len(manifest.tables)} tables and "
            f"{len(manifest.media)} media files to {path} ({path.stat().st_size} bytes).\n"
            f"Audit log: {manifest.audit_entries} entries, head {manifest.audit_head}\n"
            "Keep this head outside the archive: `parley import` prints it again."
        )
