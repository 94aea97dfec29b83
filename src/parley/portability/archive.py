"""The instance archive: a zip of JSON-lines table files and media files, and a manifest
that names every member with its SHA-256. Nothing in it is trusted before it is checked."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from parley.core.errors import ParleyError

FORMAT = "parley-instance"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class ArchiveError(ParleyError):
    """The archive is unreadable, incomplete, altered or does not fit this instance."""


@dataclass
class Member:
    name: str
    sha256: str
    rows: int = 0  # table files
    size: int = 0  # media files
    model: str = ""  # table files: app_label.ModelName
    path: str = ""  # media files: path under MEDIA_ROOT


@dataclass
class Manifest:
    parley_version: str
    created_at: str
    database: str
    migrations: list[list[str]]
    audit_head: str
    audit_entries: int
    tables: list[Member] = field(default_factory=list)
    media: list[Member] = field(default_factory=list)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(self, default=lambda o: o.__dict__, indent=1).encode()

    @property
    def rows(self) -> int:
        return sum(member.rows for member in self.tables)


def open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as problem:
        raise ArchiveError(
            f"{path} is not a complete Parley archive (truncated, or not a zip file): {problem}"
        ) from None


def read_manifest(archive: zipfile.ZipFile) -> Manifest:
    try:
        raw = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise ArchiveError(f"the archive has no {MANIFEST}: it is not a Parley archive") from None
    except (ValueError, zipfile.BadZipFile) as problem:
        raise ArchiveError(f"{MANIFEST} is damaged: {problem}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ArchiveError(f"{MANIFEST} does not describe a Parley instance archive")
    if raw.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(f"archive format version {raw.get('format_version')} is not "
                           f"supported (this Parley reads version {FORMAT_VERSION})")
    try:
        tables = [Member(**m) for m in raw.pop("tables")]
        media = [Member(**m) for m in raw.pop("media")]
        manifest = Manifest(**raw, tables=tables, media=media)
    except (KeyError, TypeError) as problem:
        raise ArchiveError(f"{MANIFEST} is incomplete: {problem}") from None
    _check_member_names(archive, manifest)
    return manifest


def _check_member_names(archive: zipfile.ZipFile, manifest: Manifest) -> None:
    listed = [m.name for m in (*manifest.tables, *manifest.media)]
    present = set(archive.namelist()) - {MANIFEST}
    for name in listed:
        if name not in present:
            raise ArchiveError(f"{name} is listed in {MANIFEST} but missing from the archive")
    for name in sorted(present - set(listed)):
        raise ArchiveError(f"{name} is in the archive but not in {MANIFEST}: it was added")
    for media in manifest.media:
        path = PurePosixPath(media.path)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ArchiveError(f"{media.name}: unsafe media path {media.path!r}")


def verify_checksums(archive: zipfile.ZipFile, manifest: Manifest,
                     progress: Callable[[int], None] | None = None) -> None:
    """Read every member once and compare its SHA-256 with the manifest's."""
    for member in (*manifest.tables, *manifest.media):
        digest = hashlib.sha256()
        try:
            with archive.open(member.name) as stream:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    if progress:
                        progress(len(chunk))
        except (zipfile.BadZipFile, OSError, EOFError) as problem:
            raise ArchiveError(f"{member.name} cannot be read: {problem}") from None
        if digest.hexdigest() != member.sha256:
            raise ArchiveError(f"{member.name}: checksum mismatch (SHA-256 {digest.hexdigest()}, "
                               f"the manifest says {member.sha256}): the file was altered")
