"""`jisheng purge`: delete what has outlived its retention (the task worker runs it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jisheng.audit.retention import purge_run
from jisheng.core.errors import JishengError


class Command(BaseCommand):
    help = "Delete audit entries, uploads, SMS files and finished tasks past their retention."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = purge_run()
        except JishengError as refused:
            raise CommandError(str(refused.message)) from refused
        self.stdout.write(
            f"Purged {report.audit_entries} audit entries (chain anchored at seq "
            f"{report.anchor_seq}), {report.upload_files} upload files, {report.sms_files} "
            f"SMS files, {report.closed_tasks} finished tasks."
        )
        for key, count in report.closed_records.items():
            self.stdout.write(f"Purged {count} closed records of kind {key}.")
