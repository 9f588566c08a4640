"""What the two passes found, and what an import records of it: its final state, counts and
message, its audit event and the end of its progress bar."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisheng.audit import services as audit
from jisheng.audit.services import Action, Result
from jisheng.core import progress
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden
from jisheng.registry.imports.families import FamiliesLoaded, FamilyPlan
from jisheng.registry.imports.files import ImportFileError
from jisheng.registry.models import PersonImport

State = PersonImport.State


@dataclass
class Validation:
    """The check pass over the whole file."""

    file_type: str = ""
    total: int = 0
    unchanged: int = 0
    to_load: int = 0
    errors: int = 0
    error_rows: list[dict[str, Any]] = field(default_factory=list)
    file_problem: str = ""
    family: FamilyPlan | None = None  # with family columns and no errors: what to add


@dataclass
class Loaded:
    """The load pass."""

    created: int = 0
    unchanged: int = 0
    flagged: int = 0
    families: FamiliesLoaded | None = None


def _audit(
    person_import: PersonImport, actor: Actor, *, result: str, detail: dict[str, Any]
) -> None:
    audit.record(action=Action.CREATE, actor=actor, obj=person_import, result=result, detail=detail)


def update(person_import: PersonImport, **changes: Any) -> PersonImport:
    """``changes`` saved and set on ``person_import``."""
    PersonImport.objects.filter(pk=person_import.pk).update(**changes)
    for name, value in changes.items():
        setattr(person_import, name, value)
    return person_import


def invalid(
    person_import: PersonImport, actor: Actor, checked: Validation, file_type: str
) -> PersonImport:
    """The file has errors: nothing is loaded; the bad rows are kept for the result page."""
    message = checked.file_problem or ngettext(
        "%(n)s row has errors: nothing was imported.",
        "%(n)s rows have errors: nothing was imported.",
        checked.errors,
    ) % {"n": checked.errors}
    with transaction.atomic():
        update(
            person_import,
            state=State.INVALID,
            total_rows=checked.total,
            unchanged_count=checked.unchanged,
            created_count=0,
            error_rows=checked.error_rows
            + (
                [{"omitted": checked.errors - len(checked.error_rows)}]
                if checked.errors > len(checked.error_rows)
                else []
            ),
            message=message[:255],
        )
        _audit(
            person_import,
            actor,
            result=Result.FAILURE,
            detail={"file_type": file_type, "rows": checked.total, "errors": checked.errors},
        )
    if person_import.progress_id is not None:
        progress.progress_finish(person_import.progress_id, message=message[:255])
    return person_import


def done(person_import: PersonImport, actor: Actor, checked: Validation, loaded: Loaded) -> None:
    """The import's result and its audit event, in the load's transaction."""
    unchanged = checked.unchanged + loaded.unchanged
    message = _("Imported: %(created)s; already registered: %(unchanged)s.") % {
        "created": loaded.created,
        "unchanged": unchanged,
    }
    families = loaded.families
    if families is not None:
        message += " " + _(
            "New households: %(households)s; household members: %(members)s; marriages: "
            "%(marriages)s; parent links: %(links)s."
        ) % {
            "households": families.households,
            "members": families.members,
            "marriages": families.marriages,
            "links": families.links,
        }
    update(
        person_import,
        state=State.DONE,
        created_count=loaded.created,
        unchanged_count=unchanged,
        error_rows=[],
        message=message[:255],
    )
    _audit(
        person_import,
        actor,
        result=Result.SUCCESS,
        detail={
            "file_type": checked.file_type,
            "rows": checked.total,
            "created": loaded.created,
            "unchanged": unchanged,
            "duplicates_flagged": loaded.flagged,
            **({"families": vars(families)} if families is not None else {}),
        },
    )


def failed(person_import: PersonImport, actor: Actor, exc: Exception) -> None:
    if isinstance(exc, ImportFileError | Forbidden):
        message = str(exc.message)
    elif isinstance(exc, IntegrityError):
        message = _(
            "Some of these residents were registered by someone else meanwhile; nothing was "
            "imported. Import the file again: they will count as already registered."
        )
    else:
        message = _("The import failed unexpectedly; nothing was imported. Try again later.")
    with transaction.atomic():
        update(person_import, state=State.FAILED, message=message[:255])
        _audit(
            person_import,
            actor,
            result=Result.FAILURE,
            detail={"error": type(exc).__name__},
        )
    if person_import.progress_id is not None:
        progress.progress_fail(person_import.progress_id, message=message)
