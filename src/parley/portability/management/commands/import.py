"""`parley import FILE`: restore an archive written by `parley export` into an empty instance."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from parley.portability.archive import ArchiveError, open_archive, read_manifest
from parley.portability.services import ImportReport, import_instance


class Command(BaseCommand):
    help = (
        "Restore an archive written by `parley export` into this instance, which must be "
        "new and empty (run `parley migrate` first). Every checksum is verified before "
        "anything is written; the rows are restored in one transaction, so a damaged or "
        "altered archive changes nothing. The audit log is verified afterwards and its head "
        "printed: compare it with the head `parley export` printed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="an archive written by `parley export`")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        try:
            report = self._import(path)
        except ArchiveError as problem:
            raise CommandError(f"Import failed: {problem.message}") from None
        manifest, chain = report.manifest, report.chain
        self.stdout.write(
            f"Imported {manifest.rows} rows into {len(manifest.tables)} tables and "
            f"{len(manifest.media)} media files from {path} (exported "
            f"{manifest.created_at} by Parley {manifest.parley_version} on {manifest.database}).\n"
            f"Audit log OK: {chain.entries} entries, chain intact.\n"
            f"Head: {chain.head}\n"
            "Compare this head with the one `parley export` printed on the old host."
        )

    def _import(self, path: Path) -> ImportReport:
        with open_archive(path) as archive:
            manifest = read_manifest(archive)
            size = sum(info.file_size for info in archive.infolist())
        with Progress(transient=True) as progress:
            checking = progress.add_task("verifying checksums", total=size)
            loading = progress.add_task("restoring rows", total=manifest.rows)
            return import_instance(
                path,
                verify_progress=lambda n: progress.advance(checking, n),
                load_progress=lambda n: progress.advance(loading, n),
            )
