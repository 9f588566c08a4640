"""`jisheng bootstrap`: the first district unit and the three separated administrators.

Run once on a new production instance; afterwards the system administrator adds units
and accounts on the pages, and the security administrator grants their roles.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from jisheng.accounts.models import User
from jisheng.accounts.org_units import org_unit_create
from jisheng.accounts.services import role_grant, user_create
from jisheng.core.errors import JishengError
from jisheng.core.roles import Role


class Command(BaseCommand):
    help = "Create the district unit and the system/security administrators and auditor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district-code", required=True, help="GB/T 2260 county code")
        parser.add_argument("--district-name", required=True)
        parser.add_argument("--sysadmin", required=True, help="user name")
        parser.add_argument("--security", required=True, help="user name")
        parser.add_argument("--auditor", required=True, help="user name")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.exists():
            raise CommandError("This instance already has accounts; bootstrap runs only once.")
        accounts = (
            (options["sysadmin"], Role.SYSTEM_ADMIN),
            (options["security"], Role.SECURITY_ADMIN),
            (options["auditor"], Role.SECURITY_AUDITOR),
        )
        passwords = {
            name: getpass.getpass(f"Password for {name} ({role.label}): ")
            for name, role in accounts
        }
        try:
            with transaction.atomic():
                district = org_unit_create(
                    actor=None,
                    name=options["district_name"],
                    kind="district",
                    code=options["district_code"],
                    parent=None,
                )
                for name, role in accounts:
                    user = user_create(
                        actor=None, username=name, password=passwords[name], org_unit=district
                    )
                    role_grant(actor=None, user=user, role=role)
        except JishengError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            self.style.SUCCESS("Bootstrap done: sign in as the system administrator.")
        )
