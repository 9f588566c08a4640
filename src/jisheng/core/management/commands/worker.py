"""`jisheng worker`: runs queued background tasks from the database queue."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background tasks (database queue)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker", interval=0.5)
