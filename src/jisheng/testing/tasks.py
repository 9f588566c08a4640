"""Tasks that only tests queue: they prove a real worker process picks up work."""

from __future__ import annotations

from pathlib import Path

from django.tasks import task


@task()
def touch(*, path: str) -> str:
    """Write ``path``; the test waits for the file to appear."""
    Path(path).write_text("done", encoding="utf-8")
    return path
