"""`jisheng worker`: runs queued background tasks from the database queue.

At start, and every few minutes while it runs, it recovers the work of dead processes (a
worker killed with ``kill -9`` leaves its tasks RUNNING) and runs the apps' purges.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from jisheng.core import workers

logger = logging.getLogger(__name__)

MAINTENANCE_SECONDS = 300.0


def _maintain_every(seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        try:
            workers.maintain()
        except Exception:  # the database may be away for a moment; try again next time
            logger.exception("worker maintenance failed")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run background tasks (database queue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Exit once the queue is empty (for tests)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers.maintain()
        close_old_connections()
        stop = threading.Event()
        threading.Thread(
            target=_maintain_every,
            args=(MAINTENANCE_SECONDS, stop),
            name="worker-maintenance",
            daemon=True,
        ).start()
        try:
            call_command(
                "db_worker",
                interval=0.5,
                worker_id=workers.process_identity(),
                batch=options["batch"],
                startup_delay=False,
            )
        finally:
            stop.set()
