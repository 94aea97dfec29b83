"""`parley rules add|list|remove|edit`: the instance rules that reports cite."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from parley.core.errors import ParleyError
from parley.safety.cases import selectors, services


class Command(BaseCommand):
    help = ("The instance rules (GET /api/v1/instance/rules; reports cite them). Every change "
            "is audited.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a rule at the end of the list")
        add.add_argument("text", help=f"the rule, at most {services.RULE_TEXT_MAX} characters")
        add.add_argument("--hint", default="", help="a longer explanation (optional)")
        sub.add_parser("list", help="list the rules with their ids")
        edit = sub.add_parser("edit", help="reword a rule")
        edit.add_argument("id")
        edit.add_argument("text")
        edit.add_argument("--hint", default="")
        remove = sub.add_parser("remove", help="remove a rule")
        remove.add_argument("id")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ParleyError as exc:
            raise CommandError(exc.message) from exc

    def _add(self, options) -> None:
        rule = services.add_rule(None, options["text"], options["hint"])
        self.stdout.write(f"Added rule {rule.pk}: {rule.text}")

    def _edit(self, options) -> None:
        rule = services.change_rule(None, options["id"], options["text"], options["hint"])
        self.stdout.write(f"Changed rule {rule.pk}: {rule.text}")

    def _list(self, options) -> None:
        rules = list(selectors.instance_rules())
        if not rules:
            self.stdout.write('No rules yet. Add one: parley rules add "Be kind" --hint "..."')
        for rule in rules:
            self.stdout.write(f"{rule.pk:>4}  {rule.text}")
            if rule.hint:
                self.stdout.write(f"      {rule.hint}")

    def _remove(self, options) -> None:
        services.remove_rule(None, options["id"])
        self.stdout.write(f"Removed rule {options['id']}")
