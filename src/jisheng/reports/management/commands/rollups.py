"""`jisheng rollups rebuild|refresh|check`: fill the report rollups, or compare them with the
records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from jisheng.accounts.models import User
from jisheng.core import modules, progress
from jisheng.reports.rollups import services
from jisheng.reports.rollups.tasks import REBUILD_KIND, rollups_rebuild_task


class Command(BaseCommand):
    help = (
        "Report rollups. `rebuild` recounts every figure (progress on stdout; with --enqueue "
        "--owner NAME, queued for `jisheng worker` with a progress bar at /tasks/<id>/). "
        "`refresh` recounts what changed since the last run (the worker does this every few "
        "minutes). `check` compares every stored figure, and the figures apps keep with their "
        "records, with a direct count and exits 1 on a difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "refresh", "check"])
        parser.add_argument("--enqueue", action="store_true", help="rebuild: queue a task")
        parser.add_argument("--owner", metavar="USERNAME", help="rebuild --enqueue: whose task")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rebuild" and options["enqueue"]:
            self._enqueue(options["owner"])
        elif action == "rebuild":
            written = services.rollups_rebuild(on_progress=self._progress)
            self.stdout.write(f"\nrebuilt: {written} cells")
        elif action == "refresh":
            touched = services.rollups_refresh()
            self.stdout.write(
                "refreshed: " + ", ".join(f"{m}={len(u)}" for m, u in sorted(touched.items()))
            )
        else:
            self._check()

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"\r{done}/{total} ({done * 100 // total}%)", ending="")
        self.stdout.flush()

    def _enqueue(self, owner: str | None) -> None:
        user = User.objects.filter(username=owner).first() if owner else None
        if user is None:
            raise CommandError("--enqueue needs --owner with an existing username")
        started = progress.progress_create(owner_id=user.pk, kind=REBUILD_KIND)
        transaction.on_commit(lambda: rollups_rebuild_task.enqueue(progress_id=started.pk))
        self.stdout.write(f"queued: /tasks/{started.pk}/")

    def _check(self) -> None:
        differences = services.rollups_check()
        for d in differences[:50]:
            self.stdout.write(f"{d.measure} {d.cell}: stored {d.stored}, counted {d.counted}")
        # The figures apps keep with their records (core.modules.kept_figures), checked alike.
        kept = modules.kept_figures_differences()
        for app, key, stored, counted in kept[:50]:
            self.stdout.write(f"{app} {key}: kept {stored}, counted {counted}")
        if differences or kept:
            raise CommandError(f"{len(differences) + len(kept)} figure(s) differ from the records")
        self.stdout.write("rollups and kept figures equal the records")
