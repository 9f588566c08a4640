"""`jisheng serve`: the production WSGI server (gunicorn), static files by WhiteNoise."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve jisheng with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("JISHENG_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("JISHENG_WORKERS", "3"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "jisheng.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            # %(U)s is the path without the query string: searches carry names and ID numbers.
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
            "--timeout",
            "120",
            # Gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl):
            # a second instance on the host takes it over and removes it when it stops.
            "--no-control-socket",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argument list, no shell
