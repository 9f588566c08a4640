"""Background work of the module: refreshing target couples from the registry, for a user's
area (on demand), for a whole street (queued by the nightly ``prepregnancy_refresh``), and
for every street whose worklist is a day old (the worker's maintenance job)."""

from __future__ import annotations

from django.tasks import task

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.core.progress import progress_fail, progress_finish, progress_start


@task()
def target_couples_refresh_task(*, actor_id: int, progress_id: int | None = None) -> str:
    """Run :func:`target_couples_refresh` for the area of ``actor_id``; reports its counts on
    the progress record."""
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


@task()
def street_couples_refresh_task(*, street_id: int) -> str:
    """Run :func:`street_couples_refresh` for one street, as the system (no user)."""
    from jisheng.prepregnancy.services.couples import street_couples_refresh

    result = street_couples_refresh(street=OrgUnit.objects.get(pk=street_id))
    return f"created={result.created} updated={result.updated}"


def worklists_refresh() -> None:
    """Maintenance job of the task worker: derive the couples of every street whose worklist
    is a day old (see ``couples.due_streets_refresh``)."""
    from jisheng.prepregnancy.services.couples import due_streets_refresh

    due_streets_refresh()
