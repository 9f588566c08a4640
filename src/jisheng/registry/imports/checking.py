"""The check pass over the whole file, outside any transaction: every row checked in chunks
(in this process or by forked workers), then against the file's other rows and the
residents already registered.

The natural key is the ID number: a row whose number is already registered in the
importer's area counts as *unchanged* and is skipped — facts of a registered resident
change only through correction events, never by import. A row that gives that number
another name is an error, not "unchanged": either the number or the name is wrong, and
skipping it would hide the mistake (the sex and birth date are checked against the number
itself, so the name is the fact that can disagree).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core import progress
from jisheng.core.actors import Actor
from jisheng.registry.imports import files, limits
from jisheng.registry.imports.families import (
    INFO_BITS,
    FamilyCheck,
    FamilyPlan,
    FamilyRows,
    Registered,
    key_of,
    registered_people,
)
from jisheng.registry.imports.files import FAMILY_KEYS, Sheet
from jisheng.registry.imports.lifecycle import import_root
from jisheng.registry.imports.loading import Spool
from jisheng.registry.imports.lookups import batched
from jisheng.registry.imports.outcome import Validation
from jisheng.registry.imports.parallel import Loader, checker, worker_count
from jisheng.registry.imports.rows import ChunkContext, Communities
from jisheng.registry.models import PersonImport, ResidentStatus


def validate(
    person_import: PersonImport,
    actor: Actor,
    sheet: Sheet,
    sink: Spool | Loader,
) -> Validation:
    """First pass: every row checked; while the file is clean, each chunk's rows to load go
    to ``sink`` as (positions to skip, pickled values), after the names of the columns."""
    result = Validation(file_type=sheet.kind)
    now = timezone.now()
    context = ChunkContext(
        columns=sheet.columns,
        communities=Communities.for_import(actor.user, person_import.community),
        now=now,
    )
    scope = set(actor.user.scope_unit_ids())
    # Key → row number and, with family columns, sex and birth date (families.person_info).
    seen: dict[int, int] = {}
    family = (
        FamilyCheck(scope, FamilyRows(import_root()))
        if any(key in sheet.columns for key in FAMILY_KEYS)
        else None
    )
    failed: dict[int, list[str]] = {}  # problems of the bad rows kept, by row number
    limit, keep = limits.max_rows(), limits.max_error_rows()
    progress_id = person_import.progress_id
    sink.begin(context.maker().columns)

    def counted(rows: Iterator[tuple[int, files.Cells]]) -> Iterator[tuple[int, Any]]:
        for row in rows:
            result.total += 1
            if result.total > limit:
                result.file_problem = str(limits.too_many_rows(limit).message)
                return
            yield row

    def fail(number: int, problems: list[str]) -> None:
        result.errors += 1
        if len(result.error_rows) < keep:
            result.error_rows.append({"row": number, "problems": problems})
            failed[number] = problems

    workers = worker_count(person_import.total_rows)
    chunks = batched(counted(files.rows(sheet)), limits.CHUNK_ROWS)
    with checker(context, workers, stop=lambda: result.errors > 0) as check:
        for checked in check(chunks):
            known = _registered([digest for digest in checked.digests if digest])
            in_blob = {position: k for k, position in enumerate(checked.prepared)}
            skip = []
            infos = checked.infos or [0] * len(checked.numbers)
            for position, number in enumerate(checked.numbers):
                problems, digest = checked.problems[position], checked.digests[position]
                if digest:
                    packed = number << INFO_BITS | infos[position]
                    first = seen.setdefault(key_of(digest), packed) >> INFO_BITS
                    if first != number:
                        problems.append(
                            _("The same ID number is also in row %(row)s.") % {"row": first}
                        )
                registered = known.get(digest) if digest else None
                if registered is not None:
                    community_id, status = registered.community_id, registered.status
                    name = registered.name
                    if status == ResidentStatus.VOIDED:
                        problems.append(_("This ID number belongs to a voided record."))
                    elif community_id not in scope:
                        problems.append(
                            _(
                                "This ID number is already registered outside your area: "
                                "record a move-in there instead."
                            )
                        )
                    elif name != checked.names[position]:
                        problems.append(
                            _(
                                "This ID number is already registered to “%(registered)s”, "
                                "not “%(name)s”: check the ID number, or correct the name "
                                "on the resident's page."
                            )
                            % {"registered": name, "name": checked.names[position]}
                        )
                if problems:
                    fail(number, problems)
                elif registered is not None:
                    result.unchanged += 1
                    if position in in_blob:
                        skip.append(in_blob[position])
                else:
                    result.to_load += 1
            if family is not None:
                unchanged = [(key_of(digest), person) for digest, person in known.items()]
                family.add(checked.family, checked.references, seen, unchanged)
            if checked.blob and not result.errors:
                numbers = b""
                if family is not None:  # the family load finds each resident by row number
                    skipped = set(skip)
                    numbers = array(
                        "i",
                        [
                            checked.numbers[position]
                            for k, position in enumerate(checked.prepared)
                            if k not in skipped
                        ],
                    ).tobytes()
                sink.add(skip, checked.blob, numbers)
            if progress_id is not None:
                progress.progress_advance(progress_id, by=len(checked.numbers) + sink.loaded())
    if result.total == 0 and not result.file_problem:
        result.file_problem = _("The file has no data rows below its header.")
    if family is not None and not result.file_problem:
        if not result.errors:
            sink.all_sent()  # the load finishes the residents while the families are checked
        # While the file is clean, the families are loaded as they are planned, if the sink
        # loads alongside the check (see Loader.family_planned).
        planned = None if result.errors else sink.family_planned
        _resolve_families(result, family, seen, failed, fail, planned)
    if family is not None and result.family is None:
        family.rows.close()  # otherwise the plan's load closes it
    return result


def _resolve_families(
    result: Validation,
    family: FamilyCheck,
    seen: dict[int, int],
    failed: dict[int, list[str]],
    fail: Callable[[int, list[str]], None],
    planned: Callable[[FamilyPlan], None] | None,
) -> None:
    """The family rows checked across the file: their problems join the rows' own."""
    problems, plan = family.resolve(seen, planned)
    for number in sorted(problems):
        if number in failed:
            failed[number].extend(problems[number])
        else:
            fail(number, problems[number])
    result.error_rows.sort(key=lambda entry: entry["row"])
    result.family = None if result.errors else plan


def _registered(digests: list[str]) -> dict[str, Registered]:
    """ID-number digest → the resident already registered with it."""
    return dict(registered_people(digests))
