"""`parley user create|list|approve|role|purge-deleted`: manage accounts from the shell."""

from __future__ import annotations

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from parley.accounts import services
from parley.accounts.models import Role, User
from parley.core.errors import ParleyError


class Command(BaseCommand):
    help = "Manage accounts: create, list, approve, set role."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an account")
        create.add_argument("username")
        create.add_argument("--email", required=True)
        create.add_argument(
            "--password", help="the password (asked for twice, hidden, when not given)"
        )
        create.add_argument("--role", choices=Role.values, default=Role.MEMBER)
        create.add_argument("--display-name", default="")
        sub.add_parser("list", help="list accounts")
        approve = sub.add_parser("approve", help="approve a pending sign-up")
        approve.add_argument("username")
        role = sub.add_parser("role", help="change an account's role")
        role.add_argument("username")
        role.add_argument("role", choices=Role.values)
        sub.add_parser(
            "purge-deleted",
            help="erase the accounts whose owners deleted them more than "
                 "PARLEY_DELETION_GRACE_DAYS days ago",
            description="Erase the content and profile of every account deleted by its owner "
                        "more than PARLEY_DELETION_GRACE_DAYS (default 30) days ago. Posts a "
                        "moderation case concerns stay hidden until the preservation purge.",
        )

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"_{options['action'].replace('-', '_')}")(options)
        except ParleyError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, options) -> None:
        email = options["email"].strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid email address") from None
        password = options["password"]
        if password is None:
            password = self._ask_password(options["username"])
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self._prepare_database()
        user = services.create_user(
            options["username"],
            email,
            password,
            role=options["role"],
            display_name=options["display_name"],
            approved=True,
        )
        self.stdout.write(f"Created {user.role} @{user.username} (id {user.pk})")

    def _ask_password(self, username: str) -> str:
        try:
            password = getpass.getpass(f"Password for @{username}: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The two passwords differ; nothing created")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("No password given; nothing created") from None
        return password

    def _prepare_database(self) -> None:
        """Before the first `parley serve` the tables do not exist yet: create them."""
        from parley.cli import database_state

        if database_state() != "unmigrated":  # an unreachable database fails on its own
            return
        self.stdout.write("Setting up the database (first run)...")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)

    def _list(self, options) -> None:
        self.stdout.write(f"{'id':>6}  {'username':<30} {'role':<10} {'state':<10} email")
        for user in User.objects.order_by("id"):
            state = (
                "suspended" if user.is_suspended else ("active" if user.is_approved else "pending")
            )
            self.stdout.write(
                f"{user.pk:>6}  {user.username:<30} {user.role:<10} {state:<10} {user.email}"
            )

    def _get(self, username: str) -> User:
        try:
            return User.objects.get(username__iexact=username)
        except User.DoesNotExist:
            raise CommandError(f"No account @{username}") from None

    def _approve(self, options) -> None:
        user = services.approve_user(self._get(options["username"]))
        self.stdout.write(f"Approved @{user.username}")

    def _role(self, options) -> None:
        user = self._get(options["username"])
        user.role = options["role"]
        user.is_staff = user.role == Role.ADMIN
        user.save(update_fields=["role", "is_staff"])
        self.stdout.write(f"@{user.username} is now {user.role}")

    def _purge_deleted(self, options) -> None:
        from parley.accounts.deletion import purge_deleted_accounts

        purged = purge_deleted_accounts()
        self.stdout.write(f"Purged {len(purged)} deleted account(s)"
                          + (f": ids {', '.join(map(str, purged))}" if purged else ""))
