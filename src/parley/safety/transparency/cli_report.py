"""`parley safety report`: the transparency report for a period, as text, JSON or CSV."""

from __future__ import annotations

import argparse
import json

from django.core.management.base import CommandError

from parley.core.errors import ValidationFailed
from parley.safety.transparency.formats import report_csv, report_text
from parley.safety.transparency.html import standalone_html
from parley.safety.transparency.selectors import build_report, parse_period


def add_period_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="first", metavar="YYYY-MM-DD",
                        help="first day of the period (default: 30 days before --to)")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM-DD",
                        help="last day of the period, included (default: today)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Notices by source and category, actions by category and type, the share found "
        "proactively, time to action, exposure, appeals and reversals, suspensions, notice "
        "handling times and removal-order deadlines for a period (DSA Art. 15 and 24); "
        "PARLEY_DSA_PROFILE (micro, small, vlop) chooses the sections."
    )
    add_period_arguments(parser)
    parser.add_argument("--format", choices=("text", "json", "csv", "html"), default="text",
                        help="output format (default: text); html is one self-contained file "
                             "with SVG charts, readable offline")


def period_from(options: dict):
    try:
        return parse_period(options.get("first"), options.get("last"))
    except ValidationFailed as exc:
        raise CommandError(str(exc)) from exc


def run(options: dict, stdout) -> None:
    report = build_report(period_from(options))
    fmt = options.get("format") or "text"
    if fmt == "json":
        stdout.write(json.dumps(report, indent=2) + "\n")
    elif fmt == "csv":
        stdout.write(report_csv(report))
    elif fmt == "html":
        stdout.write(standalone_html(report))
    else:
        stdout.write(report_text(report))
