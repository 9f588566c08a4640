"""Reads of resident imports: one import for its owner, and what its passes found."""

from __future__ import annotations

from typing import Any

from jisheng.accounts.models import User
from jisheng.core.errors import NotFound
from jisheng.core.lookups import visible_or_404
from jisheng.core.roles import Capability
from jisheng.registry.models import PersonImport

State = PersonImport.State
RUNNING_STATES = frozenset({State.QUEUED, State.VALIDATING, State.LOADING})


def person_import_for_owner(*, user: User, import_id: int) -> PersonImport:
    """An import is seen only by the user who uploaded it, and only within their scope."""
    if not user.has_capability(Capability.EDIT_REGISTRY):
        raise NotFound()
    return visible_or_404(
        PersonImport.objects.filter(owner=user).select_related("community", "progress"),
        user=user,
        pk=import_id,
    )


def listed_error_rows(person_import: PersonImport) -> list[dict[str, Any]]:
    """The bad rows kept for the result page: {"row": Excel row number, "problems": [...]}.

    ``error_rows`` holds at most JISHENG_IMPORT_MAX_ERROR_ROWS of them, followed by
    ``{"omitted": n}`` when more rows were bad than were kept.
    """
    return [entry for entry in person_import.error_rows if "row" in entry]


def omitted_error_rows(person_import: PersonImport) -> int:
    return sum(int(entry.get("omitted", 0)) for entry in person_import.error_rows)


def error_count(person_import: PersonImport) -> int:
    """Bad rows in the file, listed or not."""
    return len(listed_error_rows(person_import)) + omitted_error_rows(person_import)


def progress_percent(person_import: PersonImport) -> int:
    if person_import.state in {State.DONE, State.INVALID, State.FAILED}:
        return 100
    if person_import.progress is not None:
        return min(99, person_import.progress.percent)
    return 0
