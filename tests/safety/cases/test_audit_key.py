"""A keyed audit chain: with PARLEY_AUDIT_KEY (kept outside the database) a rewrite whose
author recomputed the plain SHA-256 hashes is still found; chains begun before the key
keep verifying, and a missing or wrong key is named as such."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parley.safety.audit import GENESIS, _canonical
from parley.safety.cases import services
from parley.safety.models import AuditEntry

pytestmark = pytest.mark.django_db
KEY = "correct horse battery staple audit key"


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("safety", "verify-audit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def keyed(settings):
    settings.PARLEY_AUDIT_KEY = KEY


@pytest.fixture
def decided(member, moderator, reported):
    case = reported(member)
    services.claim_case(case, moderator)
    services.take_action(case, moderator, "remove")
    return case


def rewrite_with_plain_hashes(first_id: int, *, scheme: str | None = None) -> None:
    """What someone with the database but not the key can do: edit an entry and recompute
    every hash after it the old (unkeyed) way, keeping or downgrading the scheme."""
    prev = GENESIS
    for entry in AuditEntry.objects.order_by("id"):
        if entry.pk >= first_id:
            if entry.pk == first_id:
                entry.data = {**entry.data, "reason": "nothing happened"}
            entry.scheme = scheme or entry.scheme
            fields = {"created_at": entry.created_at.isoformat(), "event": entry.event,
                      "actor_id": entry.actor_id, "actor_label": entry.actor_label,
                      "subject_type": entry.subject_type, "subject_id": str(entry.subject_id),
                      "data": entry.data}
            entry.prev_hash = prev
            entry.hash = hashlib.sha256(prev.encode() + _canonical(fields)).hexdigest()
            AuditEntry.objects.filter(pk=entry.pk).update(
                data=entry.data, scheme=entry.scheme, prev_hash=entry.prev_hash, hash=entry.hash)
        prev = entry.hash


def test_a_keyed_chain_verifies_and_says_so(keyed, decided):
    assert set(AuditEntry.objects.values_list("scheme", flat=True)) == {"hmac-sha256"}
    out = verify()
    assert "chain intact" in out and "entries keyed (HMAC)" in out


def test_a_rewrite_with_recomputed_plain_hashes_is_found_with_the_key(keyed, decided):
    target = AuditEntry.objects.get(event="action.remove")
    rewrite_with_plain_hashes(target.pk)
    with pytest.raises(CommandError, match=f"BROKEN at entry {target.pk}: this entry was "
                                           "edited"):
        verify()


def test_a_rewrite_downgraded_to_unkeyed_hashes_is_found_with_the_key(keyed, decided):
    target = AuditEntry.objects.get(event="action.remove")
    rewrite_with_plain_hashes(target.pk, scheme="sha256")
    with pytest.raises(CommandError, match="not keyed although earlier ones are"):
        verify()


def test_a_whole_chain_rewritten_without_the_key_is_found(keyed, decided):
    rewrite_with_plain_hashes(AuditEntry.objects.order_by("id").first().pk, scheme="sha256")
    with pytest.raises(CommandError, match="newest entry is not keyed although an audit key "
                                           "is set"):
        verify()


def test_without_the_key_the_same_rewrite_passes(decided):
    """Why the key exists: the unkeyed chain cannot see a rewrite without a recorded head."""
    rewrite_with_plain_hashes(AuditEntry.objects.get(event="action.remove").pk)
    assert "chain intact" in verify()


def test_a_missing_key_is_named(settings, keyed, decided):
    settings.PARLEY_AUDIT_KEY = ""
    with pytest.raises(CommandError, match="keyed \\(HMAC\\) but no audit key is set"):
        verify()


def test_a_wrong_key_is_named(settings, keyed, decided):
    settings.PARLEY_AUDIT_KEY = "some other key"
    with pytest.raises(CommandError, match="keyed with another key.*the audit key is wrong"):
        verify()


def test_an_unkeyed_chain_keeps_verifying_once_a_key_is_set(settings, member, moderator,
                                                            reported, tmp_path):
    case = reported(member)
    unkeyed = AuditEntry.objects.count()
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY + "\n")
    settings.PARLEY_AUDIT_KEY_FILE = str(key_file)
    services.claim_case(case, moderator)
    services.take_action(case, moderator, "remove")
    schemes = list(AuditEntry.objects.order_by("id").values_list("scheme", flat=True))
    assert schemes[:unkeyed] == ["sha256"] * unkeyed
    assert set(schemes[unkeyed:]) == {"hmac-sha256"}
    out = verify()
    assert "chain intact" in out and f"{unkeyed} older unkeyed entries" in out


def test_an_unreadable_key_file_is_reported(settings, tmp_path, decided):
    settings.PARLEY_AUDIT_KEY_FILE = str(tmp_path / "missing.key")
    with pytest.raises(CommandError, match="Cannot verify: PARLEY_AUDIT_KEY_FILE"):
        verify()
