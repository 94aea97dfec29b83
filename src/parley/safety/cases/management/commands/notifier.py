"""`parley notifier create|list|revoke`: manage the API tokens of outside notifiers."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from parley.core.errors import ParleyError
from parley.safety.cases import selectors, services
from parley.safety.cases.models import Notifier


class Command(BaseCommand):
    help = (
        "Manage notifiers: hosting providers' abuse desks, trusted flaggers and authorities "
        "that file notices through the notifier API (/api/parley/v1/notices)."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a notifier and print its token (once)")
        create.add_argument("name", help="a unique name, e.g. the provider's abuse desk")
        create.add_argument("--kind", required=True, choices=Notifier.Kind.values,
                            help="hosting_provider, trusted_flagger or authority")
        sub.add_parser("list", help="list notifiers with their standing")
        revoke = sub.add_parser("revoke", help="revoke a notifier's token")
        revoke.add_argument("name")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ParleyError as exc:
            raise CommandError(exc.message) from None

    def _create(self, options: dict) -> None:
        notifier, token = services.create_notifier(options["name"], options["kind"])
        self.stderr.write(f"Created notifier {notifier.name!r} ({notifier.kind}). Its token, "
                          "shown only now:")
        self.stdout.write(token)

    def _list(self, options: dict) -> None:
        rows = list(selectors.notifiers())
        if not rows:
            self.stdout.write("No notifiers. Create one: parley notifier create NAME --kind KIND")
            return
        self.stdout.write(f"{'name':<30} {'kind':<17} {'status':<26} founded unfounded")
        for n in rows:
            status = ("revoked" if n.revoked_at else
                      f"suspended until {n.suspended_until:%Y-%m-%d}" if n.is_suspended else
                      "throttled" if services.notifier_is_throttled(n) else "active")
            self.stdout.write(f"{n.name:<30} {n.kind:<17} {status:<26} "
                              f"{n.founded_count:>7} {n.unfounded_count:>9}")

    def _revoke(self, options: dict) -> None:
        notifier = services.revoke_notifier(options["name"])
        self.stdout.write(f"Revoked notifier {notifier.name!r}; its token no longer works.")
