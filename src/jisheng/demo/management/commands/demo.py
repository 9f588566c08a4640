"""`jisheng demo`: create the demo instance if missing, then serve it with a task worker."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from jisheng.accounts.two_factor import SECOND_FACTOR_ROLES
from jisheng.core.supervisor import Supervisor, SupervisorGaveUp
from jisheng.demo.seed import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    demo_exists,
    demo_totp_code,
    demo_totp_secret,
    seed_demo,
)


def _needs_migrate() -> bool:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = "Create (if missing) and serve the demo instance on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=20_000)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Only create the instance.")
        parser.add_argument(
            "--code",
            action="store_true",
            help="Print the demo accounts' current second-factor code and stop.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["code"]:
            self.stdout.write(demo_totp_code())
            return
        started = time.monotonic()
        if _needs_migrate():
            self.stdout.write("Migrating the database…")
            call_command("migrate", verbosity=0)
        if not demo_exists():
            total = options["persons"]
            self.stdout.write(f"Creating the demo street with {total:,} residents…")

            def show(done: int, of: int) -> None:
                self.stdout.write(f"\r  {done:,}/{of:,} ({done * 100 // max(of, 1)}%)", ending="")
                self.stdout.flush()

            seed_demo(persons=total, on_progress=show)
            self.stdout.write("")
        self.stdout.write(f"Instance ready in {time.monotonic() - started:.1f}s.")
        if options["no_serve"]:
            return
        self._serve(options["port"])

    def _serve(self, port: int) -> None:
        env = {**os.environ, "JISHENG_ENV": "demo"}
        cli = [sys.executable, "-m", "jisheng.cli"]
        supervisor = Supervisor()
        # A dead task worker is restarted and the pages stay up; a server that keeps dying
        # at once (port taken) ends the demo rather than looping for ever.
        supervisor.add(
            "web server",
            [*cli, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            give_up_after=5,
        )
        supervisor.add("task worker", [*cli, "worker"], env=env)
        supervisor.start()
        self.stdout.write(self.style.SUCCESS(f"\njisheng demo: http://127.0.0.1:{port}/"))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for username, full_name, role, _unit in DEMO_ACCOUNTS:
            mark = "*" if role in SECOND_FACTOR_ROLES else " "
            self.stdout.write(f"  {username:<15}{mark} {role.label} ({full_name})")
        self.stdout.write(
            "* Two-factor sign-in: after the password these accounts ask for a code. DEMO ONLY,\n"
            f"  they share a published key: {demo_totp_secret()} (add it to an authenticator\n"
            "  app, or run `.venv/bin/jisheng demo --code` for the current code). To see the\n"
            "  set-up page: demo_security resets an account's second factor under Roles, or\n"
            "  demo_c1 sets one up under My account → Two-factor sign-in."
        )
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()
        # A plain `kill` must stop the children too, not orphan them.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
        try:
            supervisor.run()
        except KeyboardInterrupt:
            pass
        except SupervisorGaveUp as exc:
            raise CommandError(f"The {exc} keeps dying; the demo stops.") from exc
        finally:
            supervisor.stop()
