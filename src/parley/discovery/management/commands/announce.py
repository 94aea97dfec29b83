"""`parley announce add|list|remove`: announcements every member's apps show."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from parley.accounts.models import User
from parley.core.errors import ParleyError
from parley.discovery import announcements


def _when(value: str | None):
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"{value!r} is not an ISO 8601 date and time (2030-01-31T18:00Z)")
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class Command(BaseCommand):
    help = "Make, list and remove announcements to every member (shown in their apps)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="publish an announcement now")
        add.add_argument("text")
        add.add_argument("--by", help="the moderator or admin who signs it (username)")
        add.add_argument("--starts-at", help="when what it announces starts (ISO 8601)")
        add.add_argument("--ends-at", help="when it ends; it is shown until then (ISO 8601)")
        add.add_argument("--all-day", action="store_true", help="the dates have no time")
        sub.add_parser("list", help="every announcement, newest first")
        remove = sub.add_parser("remove", help="remove an announcement")
        remove.add_argument("id")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ParleyError as exc:
            raise CommandError(exc.message) from exc

    def _add(self, options) -> None:
        author = None
        if options["by"]:
            author = User.objects.filter(username=options["by"]).first()
            if author is None:
                raise CommandError(f"No account {options['by']!r}")
        made = announcements.add_announcement(
            options["text"], author=author, starts_at=_when(options["starts_at"]),
            ends_at=_when(options["ends_at"]), all_day=options["all_day"])
        self.stdout.write(f"Announcement {made.pk} published.\n")

    def _list(self, options) -> None:
        for item in announcements.all_announcements():
            ends = f" (until {item.ends_at:%Y-%m-%d %H:%M})" if item.ends_at else ""
            self.stdout.write(f"{item.pk}\t{item.published_at:%Y-%m-%d}{ends}\t{item.text}\n")

    def _remove(self, options) -> None:
        announcements.remove_announcement(options["id"])
        self.stdout.write(f"Announcement {options['id']} removed.\n")
