"""`parley safety ...`: trust & safety commands (train, eval, verify-audit, report, ...)."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand

from parley.safety.commands import SUBCOMMANDS


class Command(BaseCommand):
    help = "Trust & safety commands. `parley safety SUBCOMMAND --help` for each."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, (module_path, help_text) in SUBCOMMANDS.items():
            subparser = sub.add_parser(name, help=help_text)
            try:
                importlib.import_module(module_path).add_arguments(subparser)
            except ImportError as exc:
                subparser.description = f"unavailable: {exc}"

    def handle(self, *args, **options) -> None:
        module_path, _ = SUBCOMMANDS[options["subcommand"]]
        importlib.import_module(module_path).run(options, self.stdout)
