"""`parley safety verify-audit`: detect edited or deleted audit entries."""

from __future__ import annotations

import argparse

from rich.progress import Progress

from parley.safety.audit import verify_chain
from parley.safety.models import AuditEntry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Recompute the audit log's hash chain and report the first broken entry. Prints the "
        "chain's head: keep it outside this server (a ticket, an email) and pass it back with "
        "--expect-head later to prove that no newest entries were deleted since."
    )
    parser.add_argument("--expect-head", metavar="HASH",
                        help="a head printed by an earlier verification; it must still be there")


def run(options: dict, stdout) -> None:
    total = AuditEntry.objects.count()
    with Progress(transient=True) as progress:
        bar = progress.add_task("verifying audit log", total=total)
        report = verify_chain(progress=lambda: progress.advance(bar),
                              expect_head=options.get("expect_head"))
    if report.ok:
        stdout.write(f"Audit log OK: {report.entries} entries, chain intact.\n"
                     f"Head: {report.head}\n")
        return
    from django.core.management.base import CommandError

    raise CommandError(
        f"Audit log BROKEN at entry {report.first_bad_id or 'end'}: {report.problem} "
        f"({report.entries} entries checked)"
    )
