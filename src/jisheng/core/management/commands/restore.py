"""`jisheng restore`: a verified database backup and its keys into a fresh instance."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisheng.core.backup import BackupError, instance_restore


class Command(BaseCommand):
    help = (
        "Restore a database backup (--from) and a key backup (--keys) into this instance. "
        "Checksums are verified first; stop the app while it runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", type=Path, required=True)
        parser.add_argument("--keys", type=Path, required=True)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the database and keys of an instance that already holds data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            report = instance_restore(
                source=options["source"], keys=options["keys"], force=options["force"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {report.rows:,} rows in {report.tables} tables ({report.vendor}) "
            f"from {report.backup} in {time.monotonic() - started:.1f}s."
        )
        for table, (expected, found) in sorted(report.count_mismatches.items()):
            self.stderr.write(f"  {table}: {expected:,} rows in the backup, {found:,} restored")
        if report.extra_tables:
            self.stderr.write(f"  tables not in the backup: {', '.join(report.extra_tables)}")
        if not report.ok:
            raise CommandError("The restored database does not match the backup's manifest.")
        self.stdout.write("Row counts match the manifest.")
        if report.decrypted_columns:
            self.stdout.write(
                f"The keys decrypt all {len(report.decrypted_columns)} encrypted columns."
            )
        if report.pending_migrations:
            self.stdout.write(
                f"{len(report.pending_migrations)} migrations are newer than the backup: "
                "run `jisheng migrate`."
            )
