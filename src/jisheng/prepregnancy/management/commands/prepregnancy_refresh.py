"""`jisheng prepregnancy_refresh`: derive the target couples of every street, for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisheng.core.models import OrgUnit
from jisheng.prepregnancy.services.couples import street_couples_refresh
from jisheng.prepregnancy.tasks import street_couples_refresh_task


class Command(BaseCommand):
    help = (
        "Bring the pre-pregnancy target couples of every street up to date with the registry "
        "(newly married couples in, moved and divorced couples closed). Meant for a nightly "
        "cron entry, e.g. `30 2 * * * jisheng prepregnancy_refresh`. Runs each street here "
        "and prints its counts; with --enqueue, queues one background task per street for "
        "`jisheng worker` instead. The worklist also refreshes itself when a day old."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue a background task per street instead of running here",
        )
        parser.add_argument(
            "--street", metavar="CODE", help="only the street with this division code"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        streets = OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET).order_by("path")
        if options["street"]:
            streets = streets.filter(code=options["street"])
            if not streets.exists():
                raise CommandError(f"no street with division code {options['street']}")
        failed = []
        for street in streets:
            if options["enqueue"]:
                street_couples_refresh_task.enqueue(street_id=street.pk)
                self.stdout.write(f"{street.code} {street.name}: queued")
                continue
            try:
                result = street_couples_refresh(street=street)
            except Exception as exc:  # one street's failure must not stop the others
                failed.append(street.code)
                self.stderr.write(f"{street.code} {street.name}: failed: {exc}")
                continue
            self.stdout.write(
                f"{street.code} {street.name}: created={result.created} updated={result.updated}"
            )
        if failed:
            raise CommandError(f"refresh failed for {len(failed)} street(s): {', '.join(failed)}")
