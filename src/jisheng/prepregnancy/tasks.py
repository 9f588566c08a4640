"""Background work of the module: the nightly (or on-demand) refresh of target couples."""

from __future__ import annotations

from django.tasks import task

from jisheng.accounts.models import User
from jisheng.audit.services import Actor
from jisheng.core.progress import progress_fail, progress_finish, progress_start


@task()
def target_couples_refresh_task(*, actor_id: int, progress_id: int | None = None) -> str:
    """Run :func:`target_couples_refresh` for the area of ``actor_id`` (e.g. the street
    office's account from a scheduler); reports its counts on the progress record."""
    from jisheng.prepregnancy.services.couples import target_couples_refresh

    if progress_id is not None:
        progress_start(progress_id, total=1)
    try:
        result = target_couples_refresh(actor=Actor(user=User.objects.get(pk=actor_id)))
    except Exception as exc:
        if progress_id is not None:
            progress_fail(progress_id, message=str(exc))
        raise
    message = f"created={result.created} updated={result.updated}"
    if progress_id is not None:
        progress_finish(progress_id, message=message)
    return message
