"""`parley trends list|hide|unhide`: what trends now, and hashtags kept out of the trends."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from parley.core.errors import ParleyError
from parley.discovery import trends


class Command(BaseCommand):
    help = "Show the trending hashtags; hide a hashtag from the trends, or show it again."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the trending hashtags now, and the hidden ones")
        hide = sub.add_parser("hide", help="keep a hashtag out of the trends")
        hide.add_argument("tag")
        unhide = sub.add_parser("unhide", help="let a hidden hashtag trend again")
        unhide.add_argument("tag")

    def handle(self, *args, **options) -> None:
        action, tag = options["action"], options.get("tag") or ""
        try:
            if action == "hide":
                trends.hide_tag(tag)
                self.stdout.write(f"#{tag.lstrip('#').lower()} is hidden from the trends.\n")
            elif action == "unhide":
                if not trends.unhide_tag(tag):
                    raise CommandError(f"#{tag.lstrip('#')} was not hidden")
                self.stdout.write(f"#{tag.lstrip('#').lower()} may trend again.\n")
            else:
                for item in trends.trending_tags(20):
                    today = item["history"][0]
                    self.stdout.write(f"#{item['tag'].name}\t{today['accounts']} accounts "
                                      f"today\n")
                for name in trends.hidden_tags():
                    self.stdout.write(f"#{name}\thidden\n")
        except ParleyError as exc:
            raise CommandError(exc.message) from exc
