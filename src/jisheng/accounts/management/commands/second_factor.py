"""`jisheng second_factor reset --user NAME`: remove a user's second factor (audited as cli).

For the one account nobody on the pages may reset: the security administrator's own, when
the phone and the recovery codes are both lost. Anyone else asks the security administrator.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisheng.accounts.models import User
from jisheng.accounts.two_factor import second_factor_reset
from jisheng.core.errors import JishengError


class Command(BaseCommand):
    help = "Reset a user's second factor; they set up a new one at their next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reset"])
        parser.add_argument("--user", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}")
        try:
            second_factor_reset(actor=None, user=user)
        except JishengError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Second factor of {user.username} reset.")
