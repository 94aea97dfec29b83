"""A truncated, altered or misplaced archive changes nothing and says what is wrong."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.base import CommandError

from parley.accounts.models import User
from parley.portability.services import non_empty_tables
from tests.portability.conftest import empty_the_instance, export_to, import_from

pytestmark = pytest.mark.django_db(transaction=True)
POSTS = "posts.Post.jsonl"


@pytest.fixture
def archive(populated, tmp_path) -> Path:
    """A good archive of the populated instance, which is then emptied (media removed too)."""
    path = tmp_path / "instance.zip"
    export_to(path)
    empty_the_instance()
    populated.media_file.unlink()
    return path


def rewrite(path: Path, change, fix_checksums: bool = False) -> Path:
    """A copy of the archive with ``change(name, data) -> data`` applied to each member."""
    altered = path.with_name("altered.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(altered, "w") as target:
        manifest = json.loads(source.read("manifest.json"))
        for name in source.namelist():
            if name == "manifest.json":
                continue
            data = change(name, source.read(name))
            target.writestr(name, data)
            if fix_checksums:
                for member in manifest["tables"] + manifest["media"]:
                    if member["name"] == name:
                        member["sha256"] = hashlib.sha256(data).hexdigest()
        target.writestr("manifest.json", json.dumps(manifest))
    return altered


def refused(path: Path) -> str:
    with pytest.raises(CommandError) as failure:
        import_from(path)
    return str(failure.value)


def assert_nothing_changed(media_file: Path) -> None:
    assert non_empty_tables() == []
    assert not media_file.exists()
    assert not list(Path(settings.DATA_DIR).glob(".import-*"))


def test_a_truncated_archive_is_refused(archive, populated):
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    message = refused(archive)
    assert "not a complete Parley archive (truncated" in message
    assert_nothing_changed(populated.media_file)


def test_an_altered_file_is_named_and_nothing_is_written(archive, populated):
    def edit_a_post(name: str, data: bytes) -> bytes:
        return data.replace(b"Hello #parley world", b"Goodbye world") if POSTS in name else data

    message = refused(rewrite(archive, edit_a_post))
    assert "checksum mismatch" in message and POSTS in message and "altered" in message
    assert_nothing_changed(populated.media_file)


def test_an_altered_media_file_is_refused(archive, populated):
    def edit_media(name: str, data: bytes) -> bytes:
        return data + b"x" if name.startswith("media/") else data

    message = refused(rewrite(archive, edit_media))
    assert "checksum mismatch" in message and "media/" in message
    assert_nothing_changed(populated.media_file)


def test_a_bad_line_rolls_back_every_table_already_restored(archive, populated):
    """Even with checksums recomputed, a broken row names its file and line and, although
    accounts were restored before posts, leaves the instance empty."""

    def break_second_post(name: str, data: bytes) -> bytes:
        if POSTS not in name:
            return data
        lines = data.split(b"\n")
        lines[1] = b'["not", "a post"]'
        return b"\n".join(lines)

    message = refused(rewrite(archive, break_second_post, fix_checksums=True))
    assert POSTS in message and "line 2" in message
    assert_nothing_changed(populated.media_file)


def test_an_edited_audit_entry_is_caught_by_the_chain_and_rolled_back(archive, populated):
    def edit_audit(name: str, data: bytes) -> bytes:
        return data.replace(b"Insults", b"Nothing") if "AuditEntry" in name else data

    message = refused(rewrite(archive, edit_audit, fix_checksums=True))
    assert "audit log is broken" in message
    assert_nothing_changed(populated.media_file)


def test_an_instance_with_data_is_refused(populated, tmp_path):
    path = tmp_path / "instance.zip"
    export_to(path)
    users = list(User.objects.order_by("pk").values_list("username", flat=True))
    message = refused(path)
    assert "not empty" in message and "accounts.User" in message
    assert "Nothing was changed" in message
    assert list(User.objects.order_by("pk").values_list("username", flat=True)) == users


def test_an_archive_missing_a_table_is_refused(archive, populated):
    altered = archive.with_name("altered.zip")
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(altered, "w") as target:
        manifest = json.loads(source.read("manifest.json"))
        dropped = next(m for m in manifest["tables"] if m["model"] == "cases.Strike")
        manifest["tables"].remove(dropped)
        for name in source.namelist():
            if name not in ("manifest.json", dropped["name"]):
                target.writestr(name, source.read(name))
        target.writestr("manifest.json", json.dumps(manifest))
    message = refused(altered)
    assert "cases.Strike" in message and "incomplete" in message
    assert_nothing_changed(populated.media_file)
