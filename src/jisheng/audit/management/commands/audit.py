"""`jisheng audit verify`: check the audit trail's hash chain; exit 1 at the first broken link."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisheng.audit.chain import chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and report the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = chain_verify()
        seconds = time.monotonic() - started
        if report.broken is not None:
            where = (
                f"entry id={report.broken.event_id} (seq {report.broken.seq})"
                if report.broken.event_id is not None
                else f"seq {report.broken.seq}"
                if report.broken.seq is not None
                else "chain head"
            )
            raise CommandError(
                f"Audit trail BROKEN at {where}: {report.broken.problem} "
                f"({report.checked} entries read in {seconds:.1f} s)"
            )
        self.stdout.write(
            f"Audit trail intact: {report.checked} entries, seq {report.anchor_seq + 1}.."
            f"{report.head_seq} (entries up to {report.anchor_seq} purged), "
            f"verified in {seconds:.1f} s"
        )
