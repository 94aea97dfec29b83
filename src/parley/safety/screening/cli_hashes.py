"""`parley safety hashes import|export`: hash lists of known violating content as CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import CommandError

from parley.core.errors import ParleyError
from parley.safety.screening import services
from parley.safety.screening.models import HashKind


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Hash lists: SHA-256 of normalised post text and of image files. CSV columns: "
        "kind,hash,category,action,source,note (kind text|image; action reject|hold|case; "
        "a text row may give the text in a `text` column instead of its hash)."
    )
    sub = parser.add_subparsers(dest="hashes_command", required=True)
    imp = sub.add_parser("import", help="add or update entries from a CSV file (all or nothing)")
    imp.add_argument("file", help="CSV file to import")
    imp.add_argument("--source", default=None,
                     help="list name for rows without one (default: the file name)")
    exp = sub.add_parser("export", help="write entries as CSV (to stdout or a file)")
    exp.add_argument("file", nargs="?", default="-", help="output file (default: stdout)")
    exp.add_argument("--kind", choices=HashKind.values, default=None)
    exp.add_argument("--source", default=None, help="only this list")


def run(options: dict, stdout) -> None:
    try:
        if options["hashes_command"] == "import":
            _import(options, stdout)
        else:
            _export(options, stdout)
    except ParleyError as exc:
        raise CommandError(exc.message) from exc


def _import(options: dict, stdout) -> None:
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    source = options["source"] if options["source"] is not None else path.stem
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            report = services.import_hashes(stream, source=source)
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text; nothing imported") from exc
    except ParleyError as exc:
        raise CommandError(f"{path}: {exc.message}; nothing imported") from exc
    stdout.write(f"Imported {path}: {report.created} new, {report.updated} updated entries\n")


def _export(options: dict, stdout) -> None:
    target = options["file"]
    if target == "-":
        services.export_hashes(stdout, kind=options["kind"], source=options["source"])
        return
    with open(target, "w", newline="", encoding="utf-8") as stream:
        count = services.export_hashes(stream, kind=options["kind"], source=options["source"])
    stdout.write(f"Exported {count} entries to {target}\n")
