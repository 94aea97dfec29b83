"""`parley safety verify-audit`: detect edited or deleted audit entries."""

from __future__ import annotations

import argparse

from rich.progress import Progress

from parley.safety.audit import audit_key, verify_chain
from parley.safety.models import AuditEntry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Recompute the audit log's hash chain and report the first broken entry. Prints the "
        "chain's head: keep it outside this server (a ticket, an email) and pass it back with "
        "--expect-head later to prove that no entries were deleted or rewritten since. With "
        "PARLEY_AUDIT_KEY (or PARLEY_AUDIT_KEY_FILE) set, new entries carry an HMAC that "
        "nobody without the key can recompute, and a rewrite of them is found without a head."
    )
    parser.add_argument("--expect-head", metavar="HASH",
                        help="a head printed by an earlier verification; it must still be there")


def run(options: dict, stdout) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management.base import CommandError

    try:
        audit_key()
    except ImproperlyConfigured as problem:
        raise CommandError(f"Cannot verify: {problem}") from None
    total = AuditEntry.objects.count()
    with Progress(transient=True) as progress:
        bar = progress.add_task("verifying audit log", total=total)
        report = verify_chain(progress=lambda: progress.advance(bar),
                              expect_head=options.get("expect_head"))
    if report.ok:
        stdout.write(f"Audit log OK: {report.entries} entries, chain intact.\n"
                     f"{_keying(report.entries, report.keyed)}\n"
                     f"Head: {report.head}\n")
        return
    raise CommandError(
        f"Audit log BROKEN at entry {report.first_bad_id or 'end'}: {report.problem} "
        f"({report.entries} entries checked)"
    )


def _keying(entries: int, keyed: int) -> str:
    key = audit_key()
    if key is None:
        return ("No audit key is set: the hashes are plain SHA-256, so keep the head outside "
                "this server (or set PARLEY_AUDIT_KEY).")
    return (f"Audit key {key.key_id}: {keyed} entries keyed (HMAC), {entries - keyed} older "
            "unkeyed entries (protected only by a recorded head).")
