"""Progress of background tasks: created by the service that queues a task, advanced by the task."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from jisheng.core.errors import NotFound
from jisheng.core.models import TaskProgress


def progress_create(*, owner_id: int, kind: str, total: int = 0) -> TaskProgress:
    return TaskProgress.objects.create(owner_id=owner_id, kind=kind, total=total)


def progress_start(progress_id: int, *, total: int) -> None:
    TaskProgress.objects.filter(pk=progress_id).update(
        state=TaskProgress.State.RUNNING, total=total
    )


def progress_advance(progress_id: int, *, by: int) -> None:
    # update() skips auto_now, so the heartbeat is set here: a stalled task shows its age.
    TaskProgress.objects.filter(pk=progress_id).update(
        done=F("done") + by, updated_at=timezone.now()
    )


def progress_finish(progress_id: int, *, result_file: str = "", message: str = "") -> None:
    TaskProgress.objects.filter(pk=progress_id).update(
        state=TaskProgress.State.DONE, done=F("total"), result_file=result_file, message=message
    )


def progress_fail(progress_id: int, *, message: str) -> None:
    TaskProgress.objects.filter(pk=progress_id).update(
        state=TaskProgress.State.FAILED, message=message[:255]
    )


def progress_for_owner(progress_id: int, owner_id: int) -> TaskProgress:
    """A user sees only the progress of tasks they started."""
    progress = TaskProgress.objects.filter(pk=progress_id, owner_id=owner_id).first()
    if progress is None:
        raise NotFound()
    return progress
