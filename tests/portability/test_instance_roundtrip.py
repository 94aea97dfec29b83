"""An operator moves an instance: `parley export` on the old host, `parley import` into an
empty new one, and every member, app and moderator sees exactly what they saw before."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from parley.accounts.models import User
from parley.portability.services import non_empty_tables
from parley.posts.models import Post
from parley.safety.audit import verify_chain
from tests.conftest import PASSWORD
from tests.portability.conftest import (
    api_answers,
    empty_the_instance,
    export_to,
    import_from,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_export_then_import_into_an_empty_instance_gives_identical_answers(populated, tmp_path):
    before = api_answers(populated)
    head = verify_chain().head
    archive = tmp_path / "instance.zip"
    printed = export_to(archive)
    assert head in printed

    empty_the_instance()
    populated.media_file.unlink()
    assert non_empty_tables() == []
    assert populated.clients["alice"].get("/api/v1/timelines/home").status_code == 401

    printed = import_from(archive)
    assert "Audit log OK" in printed and f"Head: {head}" in printed
    assert api_answers(populated) == before
    assert populated.media_file.read_bytes() == populated.media_bytes


def test_after_import_tokens_passwords_and_new_posts_work(populated, tmp_path):
    archive = tmp_path / "instance.zip"
    export_to(archive)
    last_post = Post.objects.order_by("-pk").values_list("pk", flat=True).first()
    empty_the_instance()
    import_from(archive)

    assert authenticate(username="alice", password=PASSWORD) == User.objects.get(
        username="alice")
    bob = populated.clients["bob"]
    assert bob.get("/api/v1/accounts/verify_credentials").json()["username"] == "bob"
    # New rows get new ids: the sequences were moved past the imported primary keys.
    created = bob.post("/api/v1/statuses", {"status": "Hello from the new host"}, format="json")
    assert created.status_code == 200 and int(created.json()["id"]) > last_post
    assert verify_chain().ok


def test_the_archive_holds_a_manifest_with_a_checksum_per_file(populated, tmp_path):
    import hashlib
    import json
    import zipfile

    archive = tmp_path / "instance.zip"
    export_to(archive)
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        assert manifest["format"] == "parley-instance" and manifest["format_version"] == 1
        members = manifest["tables"] + manifest["media"]
        assert sorted(m["name"] for m in members) == sorted(
            set(opened.namelist()) - {"manifest.json"})
        for member in members:
            assert hashlib.sha256(opened.read(member["name"])).hexdigest() == member["sha256"]
    models = {m["model"] for m in manifest["tables"]}
    for label in ("accounts.User", "accounts.Follow", "posts.PostRevision", "cases.Appeal",
                  "safety.AuditEntry", "oauth2_provider.AccessToken", "api.MastodonApp",
                  "posts.Post_tags"):
        assert label in models, label
    rows = {m["model"]: m["rows"] for m in manifest["tables"]}
    assert rows["posts.PostRevision"] >= 1 and rows["cases.Appeal"] == 1
    stored = populated.media_file.relative_to(populated.media_file.parents[2]).as_posix()
    assert stored in [m["path"] for m in manifest["media"]]


def test_an_imported_instance_exports_the_very_same_tables(populated, tmp_path):
    """Every row comes back exactly: exporting the imported instance gives identical files."""
    import json
    import zipfile

    def table_checksums(path):
        with zipfile.ZipFile(path) as opened:
            manifest = json.loads(opened.read("manifest.json"))
        return {m["name"]: (m["rows"], m["sha256"]) for m in manifest["tables"]}

    export_to(tmp_path / "first.zip")
    empty_the_instance()
    import_from(tmp_path / "first.zip")
    export_to(tmp_path / "second.zip")
    assert table_checksums(tmp_path / "second.zip") == table_checksums(tmp_path / "first.zip")
