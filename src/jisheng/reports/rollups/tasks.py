"""The full rollup rebuild as a background task, its progress on a ``TaskProgress`` record."""

from __future__ import annotations

from django.tasks import task

from jisheng.core import progress

REBUILD_KIND = "reports_rollups_rebuild"


@task()
def rollups_rebuild_task(*, progress_id: int) -> str:
    """Run :func:`rollups_rebuild`, advancing ``progress_id`` one step per chunk of units."""
    from jisheng.reports.rollups.services import rollups_rebuild

    seen = 0

    def advance(done: int, total: int) -> None:
        nonlocal seen
        if seen == 0:
            progress.progress_start(progress_id, total=total)
        progress.progress_advance(progress_id, by=done - seen)
        seen = done

    try:
        written = rollups_rebuild(on_progress=advance)
    except Exception as exc:
        progress.progress_fail(progress_id, message=str(exc))
        raise
    message = f"cells={written}"
    progress.progress_finish(progress_id, message=message)
    return message
