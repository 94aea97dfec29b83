"""`parley safety rules add|list|remove|enable|disable`: server-wide word and phrase rules."""

from __future__ import annotations

import argparse

from django.core.management.base import CommandError

from parley.core.errors import ParleyError
from parley.safety.policy import POLICY
from parley.safety.screening import selectors, services
from parley.safety.screening.models import RuleField, ScreeningAction


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Words, phrases or regular expressions matched (after undoing look-alike letters, "
        "leetspeak and spacing) in post text, content warnings, display names and bios."
    )
    sub = parser.add_subparsers(dest="rules_command", required=True)
    add = sub.add_parser("add", help="add a rule")
    add.add_argument("pattern", help="word or phrase (or a regex with --regex)")
    add.add_argument("--action", required=True, choices=ScreeningAction.values,
                     help="reject the content, hold it for review, or publish and open a case")
    add.add_argument("--category", required=True, choices=list(POLICY),
                     help="policy category the rule enforces")
    add.add_argument("--regex", action="store_true", help="PATTERN is a regular expression")
    add.add_argument("--applies-to", default=",".join(RuleField.values),
                     help="comma-separated fields: text, cw, display_name, bio (default: all)")
    add.add_argument("--note", default="", help="why the rule exists (for moderators)")
    add.add_argument("--disabled", action="store_true", help="add it switched off")
    listing = sub.add_parser("list", help="list rules")
    listing.add_argument("--enabled-only", action="store_true")
    for name, text in (("remove", "delete a rule"), ("enable", "switch a rule on"),
                       ("disable", "switch a rule off")):
        one = sub.add_parser(name, help=text)
        one.add_argument("rule_id", type=int, help="the rule's number (see `rules list`)")


def run(options: dict, stdout) -> None:
    try:
        _run(options, stdout)
    except ParleyError as exc:
        raise CommandError(exc.message) from exc


def _run(options: dict, stdout) -> None:
    command = options["rules_command"]
    if command == "add":
        rule = services.add_rule(
            options["pattern"], action=options["action"], category=options["category"],
            applies_to=[f.strip() for f in options["applies_to"].split(",") if f.strip()],
            is_regex=options["regex"], note=options["note"], enabled=not options["disabled"],
        )
        stdout.write(f"Added {rule}\n")
    elif command == "list":
        _list(stdout, options["enabled_only"])
    elif command == "remove":
        services.remove_rule(options["rule_id"])
        stdout.write(f"Removed rule #{options['rule_id']}\n")
    else:
        rule = services.set_rule_enabled(options["rule_id"], command == "enable")
        stdout.write(f"Rule #{rule.pk} {command}d\n")


def _list(stdout, enabled_only: bool) -> None:
    rules = selectors.list_rules(enabled=True if enabled_only else None)
    stdout.write("id  on  action  category                  applies to               pattern\n")
    for rule in rules:
        kind = "re:" if rule.is_regex else ""
        stdout.write(
            f"{rule.pk:<3} {'yes' if rule.enabled else 'no':<3} {rule.action:<7} "
            f"{rule.category:<25} {','.join(rule.applies_to):<24} {kind}{rule.pattern}"
            f"{'  # ' + rule.note if rule.note else ''}\n"
        )
