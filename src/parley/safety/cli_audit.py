"""`parley safety verify-audit`: detect edited or deleted audit entries."""

from __future__ import annotations

import argparse

from rich.progress import Progress

from parley.safety.audit import verify_chain
from parley.safety.models import AuditEntry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Recompute the audit log's hash chain and report the first broken entry."


def run(options: dict, stdout) -> None:
    total = AuditEntry.objects.count()
    with Progress(transient=True) as progress:
        bar = progress.add_task("verifying audit log", total=total)
        report = verify_chain(progress=lambda: progress.advance(bar))
    if report.ok:
        stdout.write(f"Audit log OK: {report.entries} entries, chain intact.\n")
        return
    from django.core.management.base import CommandError

    raise CommandError(
        f"Audit log BROKEN at entry {report.first_bad_id}: {report.problem} "
        f"({report.entries} entries checked)"
    )
