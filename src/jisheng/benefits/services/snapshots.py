"""Find-eligible snapshots: queued from the page, taken by the task worker, applied from.

The rule is evaluated once per snapshot, by ``selectors.eligible_persons`` (the one
definition of who qualifies), and its rows are stored with their sort key; pages read them.
Taking a snapshot never holds a long transaction: the rows go in by chunks (the progress bar
moves with them) and the snapshot becomes readable only when its progress is done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from itertools import batched

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jisheng.benefits import selectors
from jisheng.benefits.models import (
    DisabilityRecord,
    EligibleSnapshot,
    EligibleSnapshotRow,
    Program,
)
from jisheng.benefits.models.snapshots import SNAPSHOT_KIND
from jisheng.benefits.services.applications import BatchResult, applications_create_for
from jisheng.core import progress, workers
from jisheng.core.actors import Actor
from jisheng.core.db import insert_rows
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.models import TaskProgress
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry.models import LifeEvent
from jisheng.registry.selectors import persons_by_ids

# Rows inserted per statement, and per step of the progress bar.
CHUNK = 5000
_UNFINISHED = (TaskProgress.State.QUEUED, TaskProgress.State.RUNNING)
_ROW_COLUMNS = ("snapshot_id", "person_id", "community_id", "community_code", "name", "spouse_name")


def snapshot_refresh(*, actor: Actor, program: Program, as_of: dt.date) -> EligibleSnapshot:
    """Queue a snapshot of (program, day, the actor's unit) on the task worker.

    One still queued or running for the same program, day and unit is returned instead of a
    second (a double click, or two colleagues at once)."""
    require(actor, Capability.APPLY_BENEFITS)
    if refusal := program.eligible_search_refusal():
        raise Conflict(refusal, code="program_not_searchable")
    unit = actor.user.org_unit
    if unit is None:
        raise JishengError(_("Your account belongs to no unit, so it has no residents to list."))
    with transaction.atomic():
        # Refreshes of one program take turns, so two at once cannot both find none running.
        Program.objects.select_for_update().filter(pk=program.pk).first()
        running = (
            EligibleSnapshot.objects.filter(
                program=program, as_of=as_of, org_unit=unit, progress__state__in=_UNFINISHED
            )
            .select_related("progress")
            .first()
        )
        if running is not None and not _abandoned(running):
            return running
        if running is not None:
            # Its worker died (killed, restarted) before finishing: without this the unit
            # could never list the program for that day again.
            _discard_rows(running)
            progress.progress_fail(
                running.progress_id, message=_("The list was not finished: its work stopped.")
            )
        started = progress.progress_create(
            owner_id=actor.user.pk, kind=f"{SNAPSHOT_KIND}:{program.pk}"
        )
        snapshot = EligibleSnapshot.objects.create(
            program=program, as_of=as_of, org_unit=unit, progress=started, taken_by=actor.user
        )
        from jisheng.benefits.tasks import eligible_snapshot_task  # the task calls back here

        snapshot_id, language = snapshot.pk, translation.get_language()
        transaction.on_commit(
            lambda: eligible_snapshot_task.enqueue(snapshot_id=snapshot_id, language=language)
        )
    return snapshot


def snapshot_take(*, snapshot_id: int, language: str | None = None) -> EligibleSnapshot | None:
    """Take a queued snapshot: its rows, then done; or ``None``, failed, with the reason kept
    on its progress and no rows left behind."""
    snapshot = EligibleSnapshot.objects.select_related(
        "program", "org_unit", "taken_by", "progress"
    ).get(pk=snapshot_id)
    progress_id = snapshot.progress_id
    if snapshot.progress.state == TaskProgress.State.FAILED:
        return None  # given up as abandoned while it waited; a newer one is on its way
    with translation.override(language):
        progress.progress_start(progress_id, total=0)
        try:
            _take(snapshot)
        except JishengError as refusal:
            _discard_rows(snapshot)
            progress.progress_fail(progress_id, message=str(refusal.message))
            return None
        except Exception:
            _discard_rows(snapshot)
            progress.progress_fail(
                progress_id, message=_("The list could not be made. Please try again.")
            )
            raise
    _drop_superseded(snapshot)
    return snapshot


def _take(snapshot: EligibleSnapshot) -> None:
    taker = snapshot.taken_by
    if taker.org_unit_id != snapshot.org_unit_id:
        raise JishengError(_("Whoever asked for this list has moved to another unit since."))
    # Read before the rule runs: an event recorded while it runs is above the mark, so the
    # snapshot errs on the side of stale.
    mark = LifeEvent.objects.aggregate(mark=Max("pk"))["mark"] or 0
    disability_mark = DisabilityRecord.objects.aggregate(mark=Max("pk"))["mark"] or 0
    taken_at = timezone.now()
    # One query: the rule, with each resident's sort key and (couples) the spouse's name.
    eligible = selectors.eligible_persons(
        user=taker, program=snapshot.program, as_of=snapshot.as_of
    )
    # spouse_name is eligible_persons' own annotation, which the type checker cannot see.
    found = eligible.values_list(  # type: ignore[misc]
        "pk", "community_id", "community__code", "name", "spouse_name"
    )
    rows = [
        (snapshot.pk, pk, community_id, code, name, spouse_name or "")
        for pk, community_id, code, name, spouse_name in found
    ]
    progress.progress_start(snapshot.progress_id, total=len(rows))
    table = EligibleSnapshotRow._meta.db_table
    for chunk in batched(rows, CHUNK, strict=False):
        insert_rows(table, _ROW_COLUMNS, chunk)
        progress.progress_advance(snapshot.progress_id, by=len(chunk))
    with transaction.atomic():
        EligibleSnapshot.objects.filter(pk=snapshot.pk).update(
            taken_at=taken_at, event_mark=mark, disability_mark=disability_mark, total=len(rows)
        )
        progress.progress_finish(snapshot.progress_id)


def _abandoned(snapshot: EligibleSnapshot) -> bool:
    """Queued or running with no sign of life (its progress untouched) for longer than a
    worker's task may be silent: taken for dead."""
    return snapshot.progress.updated_at < workers.stale_before()


def snapshots_purge_expired(now: dt.datetime | None = None) -> int:
    """Delete finished snapshots older than ``JISHENG_SNAPSHOT_MAX_AGE_HOURS`` with their rows
    (the worker's maintenance): they are stale, nobody may apply from them, and a list of
    names is kept no longer than it serves (PIPL's storage limitation). Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.JISHENG_SNAPSHOT_MAX_AGE_HOURS)
    expired = EligibleSnapshot.objects.filter(
        queued_at__lt=cutoff,
        progress__state__in=(TaskProgress.State.DONE, TaskProgress.State.FAILED),
    )
    return _delete_snapshots(expired)


def _discard_rows(snapshot: EligibleSnapshot) -> None:
    EligibleSnapshotRow.objects.filter(snapshot=snapshot).delete()


def _drop_superseded(snapshot: EligibleSnapshot) -> None:
    """Older finished snapshots of the same program, day and unit go with their rows: pages
    read only the latest, and applying from an older one is refused anyway."""
    older = EligibleSnapshot.objects.filter(
        program_id=snapshot.program_id,
        as_of=snapshot.as_of,
        org_unit_id=snapshot.org_unit_id,
        queued_at__lte=snapshot.queued_at,
        progress__state__in=(TaskProgress.State.DONE, TaskProgress.State.FAILED),
    ).exclude(pk=snapshot.pk)
    _delete_snapshots(older)


def _delete_snapshots(snapshots: QuerySet[EligibleSnapshot]) -> int:
    """Delete the snapshots with their rows; how many snapshots went."""
    with transaction.atomic():
        # Rows have nothing depending on them: one DELETE, not a collection per row.
        EligibleSnapshotRow.objects.filter(snapshot__in=snapshots).delete()
        count, _by_model = snapshots.delete()
    return count


def applications_from_snapshot(
    *,
    actor: Actor,
    program: Program,
    snapshot_id: int | None,
    person_ids: Collection[int],
    today: dt.date | None = None,
) -> BatchResult:
    """Applications for residents chosen from a snapshot's page; a stale snapshot, or one
    refreshed since, is refused, and only residents listed in it are taken."""
    require(actor, Capability.APPLY_BENEFITS)
    if refusal := program.eligible_search_refusal():
        raise Conflict(refusal, code="program_not_searchable")
    snapshot = (
        EligibleSnapshot.objects.visible_to(actor.user)
        .filter(pk=snapshot_id or 0, program=program)
        .select_related("progress", "program", "org_unit")
        .first()
    )
    if snapshot is None or not snapshot.done:
        raise Conflict(
            _("The list you chose from has been refreshed since. Choose again from the new list."),
            code="snapshot_gone",
        )
    if selectors.snapshot_stale(snapshot):
        raise Conflict(
            _(
                "The list is out of date: the registry has changed since it was made. Refresh "
                "the list and choose again."
            ),
            code="snapshot_stale",
        )
    listed = EligibleSnapshotRow.objects.visible_to(actor.user).filter(
        snapshot=snapshot, person_id__in=list(person_ids)
    )
    persons = persons_by_ids(user=actor.user, ids=list(listed.values_list("person_id", flat=True)))
    if not persons:
        raise JishengError(_("Choose at least one resident."))
    persons.sort(key=lambda person: person.pk)
    return applications_create_for(actor=actor, program=program, persons=persons, today=today)
