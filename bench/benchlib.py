"""What the benchmarks share: a Django set up on a fresh instance folder, and peak memory."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def setup_django(database_url: str, home: Path, *, env: str, migrate: bool = True) -> None:
    """Django on the instance folder ``home``: SQLite there, or ``database_url``."""
    os.environ["JISHENG_HOME"] = str(home)
    os.environ["JISHENG_ENV"] = env
    os.environ["DJANGO_SETTINGS_MODULE"] = "jisheng.settings"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)


def peak_rss_mb() -> float:
    """The process's largest resident set so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
