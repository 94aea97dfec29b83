"""The ``parley`` command: Parley's own commands up front, Django's under ``parley django``."""

from __future__ import annotations

import os
import sys
from importlib.metadata import PackageNotFoundError, version

# Django commands an operator runs often enough to list next to Parley's own.
LISTED_DJANGO_COMMANDS = ("migrate",)
NOT_SET_UP = "The database is not set up yet: run `parley serve` (or `parley migrate`) first."


def parley_version() -> str:
    try:
        return version("parley")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"], ["version"]):
        print(f"parley {parley_version()}")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    try:
        _run(args)
    except Exception as exc:
        message = _known_failure(exc)
        if message is None:
            raise
        print(f"parley: error: {message}", file=sys.stderr)
        sys.exit(1)


def _run(args: list[str]) -> None:
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 - load the settings now: a bad data dir fails here
    from django.core.management import execute_from_command_line

    if not args or args[0] in ("help", "--help", "-h"):
        if len(args) > 1:  # `parley help serve` is `parley serve --help`
            execute_from_command_line(["parley", args[1], "--help"])
        else:
            print(usage())
        return
    if args[0] == "django":
        execute_from_command_line(["parley django", *args[1:]])
        return
    # Every Django command still runs as `parley <command>`; only the listing is Parley's.
    execute_from_command_line(["parley", *args])


def _known_failure(exc: Exception) -> str | None:
    """A one-line message for the failures an operator can fix, instead of a traceback."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError, ProgrammingError

    if isinstance(exc, ImproperlyConfigured):
        return str(exc)
    if not isinstance(exc, OperationalError | ProgrammingError):
        return None
    state = database_state()
    if state == "unmigrated":
        return NOT_SET_UP
    if state == "unreachable":
        reason = (str(exc).strip().splitlines() or ["unknown error"])[0]
        return f"Cannot use the database (PARLEY_DATABASE_URL): {reason}"
    return None


def database_state() -> str:
    """``ready``, ``unmigrated`` (migrations left to apply) or ``unreachable``."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import Error

    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Error:
        return "unreachable"
    return "unmigrated" if unapplied else "ready"


def parley_commands() -> dict[str, str]:
    """Parley's management commands (and the few listed Django ones): name -> one line."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    commands = {}
    for name, app in sorted(get_commands().items()):
        if not (app.startswith("parley") or name in LISTED_DJANGO_COMMANDS):
            continue
        help_text = str(load_command_class(app, name).help or "").strip()
        commands[name] = _first_sentence(help_text)
    return commands


def _first_sentence(text: str) -> str:
    line = " ".join(text.split())
    for end in (". ", ": "):
        line = line.split(end, 1)[0]
    if len(line) > 70:
        line = line.split(", ", 1)[0]
    return line.rstrip(".")


def usage() -> str:
    commands = parley_commands()
    width = max(12, *map(len, commands)) + 2
    lines = [
        f"parley {parley_version()}: a microblogging server with trust & safety built in.",
        "",
        "Usage: parley <command> [options]    (parley <command> --help for its options)",
        "",
        "Commands:",
        *(f"  {name:<{width}}{text}" for name, text in commands.items()),
        "",
        "Other:",
        f"  {'--version':<{width}}print Parley's version",
        f"  {'django':<{width}}Django's own commands: `parley django help`, "
        "`parley django shell`, ...",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
