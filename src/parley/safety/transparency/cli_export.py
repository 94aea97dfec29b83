"""`parley safety export-statements`: statements of reasons for the DSA Transparency Database."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import CommandError
from rich.progress import Progress

from parley.safety.transparency.cli_report import add_period_arguments, period_from
from parley.safety.transparency.export import BATCH_SIZE, export_statements, statements_in
from parley.safety.transparency.profiles import dsa_profile


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Write the statements of reasons issued in a period as JSON files of at most "
        f"{BATCH_SIZE} statements each ({{\"statements\": [...]}}), in the format of the EU DSA "
        "Transparency Database API, with no personal data (no usernames, e-mails or post text)."
    )
    add_period_arguments(parser)
    parser.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="directory to write the batch files into (created if missing)")


def run(options: dict, stdout) -> None:
    profile = dsa_profile()
    if not profile.statements_export:
        raise CommandError(
            f"PARLEY_DSA_PROFILE={profile.name}: micro and small enterprises do not submit "
            "statements of reasons to the Commission's database (DSA Art. 19 and 24(5)); "
            "set PARLEY_DSA_PROFILE=vlop to export them.")
    period = period_from(options)
    total = statements_in(period).count()
    with Progress(transient=True) as progress:
        bar = progress.add_task("exporting statements of reasons", total=total)
        files = export_statements(period, options["out"],
                                  progress=lambda n: progress.advance(bar, n))
    stdout.write(f"Exported {total} statements of reasons ({period.first} to {period.last}) "
                 f"in {len(files)} file(s) to {options['out']}.\n")
    for path in files:
        stdout.write(f"  {path}\n")
