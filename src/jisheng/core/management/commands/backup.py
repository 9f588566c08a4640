"""`jisheng backup`: the database (and, to another folder, the keys) with manifest and checksums."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisheng.core.backup import BackupError, database_backup, keys_backup


class Command(BaseCommand):
    help = (
        "Back up the database into a new folder under --to; with --keys-to, also the key "
        "folder (keep it offline and apart from the database backups)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, help="Folder for database backups.")
        parser.add_argument(
            "--keys-to", type=Path, help="Folder for the key backup (not next to the data)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        to: Path | None = options["to"]
        keys_to: Path | None = options["keys_to"]
        if to is None and keys_to is None:
            raise CommandError("Give --to (database), --keys-to (keys), or both.")
        if to is not None and keys_to is not None and _same_place(to, keys_to):
            raise CommandError("Keys must not be stored with the data: use another --keys-to.")
        started = time.monotonic()
        try:
            if to is not None:
                folder = database_backup(to=to)
                self.stdout.write(f"Database backup: {folder}")
            if keys_to is not None:
                folder = keys_backup(to=keys_to)
                self.stdout.write(f"Key backup: {folder}")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Done in {time.monotonic() - started:.1f}s.")


def _same_place(data: Path, keys: Path) -> bool:
    data, keys = data.resolve(), keys.resolve()
    return data == keys or data in keys.parents or keys in data.parents
