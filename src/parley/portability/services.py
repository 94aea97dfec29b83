"""Export a whole instance into one archive, and restore one into an empty instance.

The import writes rows as they were (same primary keys, timestamps and hashes) straight
into every app's tables, bypassing the apps' services on purpose: it restores state that
those services already produced, so screening, fan-out and audit must not run again."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from parley.cli import parley_version
from parley.portability.archive import (
    CHUNK,
    MANIFEST,
    ArchiveError,
    Manifest,
    Member,
    open_archive,
    read_manifest,
    verify_checksums,
)
from parley.portability.tables import BadRow, RowDecoder, encoded_rows, exported_models
from parley.safety.audit import GENESIS, ChainReport, verify_chain
from parley.safety.models import AuditEntry

Progress = Callable[[int], None] | None
WRITE_BUFFER = 1024 * 1024
INSERT_BATCH = 2000  # rows per INSERT, fewer where the database limits query parameters


class TargetNotEmpty(ArchiveError):
    """Import refuses to mix an archive with an instance that already has data."""


@dataclass
class ImportReport:
    manifest: Manifest
    chain: ChainReport


# --- export -------------------------------------------------------------------------------

def count_rows() -> int:
    return sum(model._base_manager.count() for model in exported_models())


def export_instance(path: Path, progress: Progress = None) -> Manifest:
    """Write every exported table (as a consistent snapshot) and every media file to ``path``."""
    partial = path.with_name(path.name + ".partial")
    try:
        with transaction.atomic():
            _snapshot()
            manifest = _write_archive(partial, progress)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)  # only a complete archive ever has the name asked for
    return manifest


def _write_archive(partial: Path, progress: Progress) -> Manifest:
    manifest = _new_manifest()
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number, model in enumerate(exported_models(), start=1):
            manifest.tables.append(_write_table(archive, number, model, progress))
        manifest.media = [_write_media(archive, file) for file in _media_files()]
        archive.writestr(MANIFEST, manifest.to_json())
    return manifest


def _snapshot() -> None:
    # SQLite's transaction is a snapshot already; PostgreSQL's default is per statement.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _new_manifest() -> Manifest:
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    return Manifest(
        parley_version=parley_version(),
        created_at=timezone.now().isoformat(),
        database=connection.vendor,
        migrations=_applied_migrations(),
        audit_head=last or GENESIS,
        audit_entries=AuditEntry.objects.count(),
    )


def _applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _write_table(archive: zipfile.ZipFile, number: int, model: type[models.Model],
                 progress: Progress) -> Member:
    member = Member(name=f"tables/{number:03d}-{model._meta.label}.jsonl", sha256="",
                    model=model._meta.label)
    digest = hashlib.sha256()
    buffer: list[bytes] = []
    size = 0
    with archive.open(member.name, "w", force_zip64=True) as out:
        for line in encoded_rows(model):
            buffer.append(line + b"\n")
            size += len(line) + 1
            member.rows += 1
            if size >= WRITE_BUFFER:
                _flush(out, digest, buffer, progress)
                buffer, size = [], 0
        _flush(out, digest, buffer, progress)
    member.sha256 = digest.hexdigest()
    return member


def _flush(out, digest, buffer: list[bytes], progress: Progress) -> None:
    data = b"".join(buffer)
    digest.update(data)
    out.write(data)
    if progress:
        progress(len(buffer))


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _write_media(archive: zipfile.ZipFile, file: Path) -> Member:
    relative = file.relative_to(settings.MEDIA_ROOT).as_posix()
    info = zipfile.ZipInfo.from_file(file, f"media/{relative}")
    info.compress_type = zipfile.ZIP_STORED  # images are compressed already
    digest = hashlib.sha256()
    with file.open("rb") as source, archive.open(info, "w", force_zip64=True) as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return Member(name=info.filename, sha256=digest.hexdigest(), size=file.stat().st_size,
                  path=relative)


# --- import -------------------------------------------------------------------------------

def non_empty_tables() -> list[str]:
    return [m._meta.label for m in exported_models() if m._base_manager.exists()]


def check_target_is_empty() -> None:
    filled = non_empty_tables()
    if filled:
        shown = ", ".join(filled[:5]) + (f" and {len(filled) - 5} more" if len(filled) > 5 else "")
        raise TargetNotEmpty(
            f"This instance is not empty ({shown} have rows): import only restores into a "
            "new, empty instance. Nothing was changed."
        )


def import_instance(path: Path, verify_progress: Progress = None,
                    load_progress: Progress = None) -> ImportReport:
    """Check the whole archive, then restore it in one transaction; media moves in last."""
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        _check_same_schema(manifest)
        _check_every_table_is_there(manifest)
        check_target_is_empty()
        verify_checksums(archive, manifest, verify_progress)
        staging = Path(tempfile.mkdtemp(prefix=".import-", dir=settings.DATA_DIR))
        try:
            _extract_media(archive, manifest, staging)
            with transaction.atomic():
                check_target_is_empty()
                for member in manifest.tables:
                    _load_table(archive, member, load_progress)
                _reset_sequences()
                chain = _checked_chain(manifest)
            _move_media(staging, Path(settings.MEDIA_ROOT))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return ImportReport(manifest, chain)


def _check_same_schema(manifest: Manifest) -> None:
    here = {tuple(m) for m in _applied_migrations()}
    there = {tuple(m) for m in manifest.migrations}
    if here == there:
        return
    missing = sorted(there - here)
    if missing:
        raise ArchiveError(
            f"The archive comes from a newer database schema ({missing[0][0]}.{missing[0][1]} "
            f"and {len(missing) - 1} more are not applied here): run `parley migrate`, or "
            f"install Parley {manifest.parley_version}. Nothing was changed."
        )
    extra = sorted(here - there)
    raise ArchiveError(
        f"This instance has migrations the archive's Parley {manifest.parley_version} did not "
        f"({extra[0][0]}.{extra[0][1]} and {len(extra) - 1} more): import with Parley "
        f"{manifest.parley_version}, then upgrade. Nothing was changed."
    )


def _check_every_table_is_there(manifest: Manifest) -> None:
    listed = [member.model for member in manifest.tables]
    expected = [model._meta.label for model in exported_models()]
    missing = sorted(set(expected) - set(listed))
    if missing:
        raise ArchiveError(f"{MANIFEST} lists no file for {', '.join(missing)}: the archive is "
                           "incomplete. Nothing was changed.")
    if len(listed) != len(set(listed)):
        raise ArchiveError(f"{MANIFEST} lists a table twice. Nothing was changed.")


def _load_table(archive: zipfile.ZipFile, member: Member, progress: Progress) -> None:
    model = _model(member)
    decoder = RowDecoder(model)
    fields = model._meta.concrete_fields
    batch_size = max(1, connection.ops.bulk_batch_size(fields, [None] * INSERT_BATCH))
    batch: list[models.Model] = []
    first_line = 1
    with archive.open(member.name) as stream:
        for number, line in enumerate(stream, start=1):
            try:
                batch.append(decoder.decode(line))
            except BadRow as problem:
                raise ArchiveError(f"{member.name} line {number}: {problem}") from None
            if len(batch) >= batch_size:
                _insert(model, fields, batch, member, first_line)
                batch, first_line = [], number + 1
                if progress:
                    progress(batch_size)
        _insert(model, fields, batch, member, first_line)
    if progress:
        progress(len(batch))
    loaded = model._base_manager.count()
    if loaded != member.rows:
        raise ArchiveError(f"{member.name}: the manifest lists {member.rows} rows, the file "
                           f"holds {loaded}")


def _model(member: Member) -> type[models.Model]:
    by_label = {model._meta.label: model for model in exported_models()}
    try:
        return by_label[member.model]
    except KeyError:
        raise ArchiveError(f"{member.name}: this Parley has no table {member.model}") from None


def _insert(model: type[models.Model], fields: list, batch: list, member: Member,
            first_line: int) -> None:
    if not batch:
        return
    try:
        # raw=True, as loaddata does: keep timestamps (no auto_now) and file names as stored
        model._base_manager._insert(batch, fields=fields, raw=True)
    except DatabaseError as problem:
        lines = f"lines {first_line}-{first_line + len(batch) - 1}"
        raise ArchiveError(f"{member.name} {lines}: cannot be stored: {problem}") from None


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), exported_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _checked_chain(manifest: Manifest) -> ChainReport:
    chain = verify_chain(expect_head=manifest.audit_head)
    if not chain.ok:
        where = f"entry {chain.first_bad_id}" if chain.first_bad_id else "its end"
        raise ArchiveError(f"The imported audit log is broken at {where}: {chain.problem}. "
                           "Nothing was changed.")
    if chain.head != manifest.audit_head:
        raise ArchiveError(f"The imported audit log ends at {chain.head}, but the archive "
                           f"recorded {manifest.audit_head}. Nothing was changed.")
    return chain


def _extract_media(archive: zipfile.ZipFile, manifest: Manifest, staging: Path) -> None:
    for member in manifest.media:
        target = staging / member.path
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member.name) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)


def _move_media(staging: Path, media_root: Path) -> None:
    for file in sorted(p for p in staging.rglob("*") if p.is_file()):
        target = media_root / file.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, target)
