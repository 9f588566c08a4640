"""A pharmacy's monthly dispensing list, imported from a workbook: all rows or none.

Every row is checked before any is written; a bad file changes nothing and names each bad
row's problems. The same rows again (in any order) return the import made the first time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.lookups import locked_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.governance.models import Dispensing, DispensingImport, Outlet
from jisheng.governance.services.supervision import (
    DispensingFields,
    dispensing_fields,
    id_digest,
)
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.services.persons import id_number_digest

MAX_ROWS = 5_000
SHOWN_PROBLEMS = 200
PLACEHOLDER_DAY = dt.date(2000, 1, 1)

COLUMNS: dict[str, tuple[str, ...]] = {
    "dispensed_on": ("日期", "售药日期", "发药日期", "date"),
    "drug": ("药品", "药品名称", "drug"),
    "quantity": ("数量", "quantity"),
    "buyer_name": ("购药人", "购药人姓名", "姓名", "buyer"),
    "buyer_id_number": ("身份证号码", "身份证号", "公民身份号码", "id number"),
    "prescriber": ("处方医师", "开方医师", "prescriber"),
    "prescription_ref": ("处方编号", "处方号", "prescription"),
}
TEMPLATE_HEADER = tuple(names[0] for names in COLUMNS.values())


class DispensingRowsRefused(JishengError):
    """The file has bad rows: nothing was imported; ``problems`` names each row's."""

    code = "invalid_rows"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("Nothing was imported: %(count)d rows have problems.") % {"count": len(problems)}
        )
        self.row_problems = problems

    @property
    def problems(self) -> list[str]:
        shown = self.row_problems[:SHOWN_PROBLEMS]
        rest = len(self.row_problems) - len(shown)
        more = [_("…and %(count)d more rows with problems.") % {"count": rest}] if rest else []
        return [str(self.message), *shown, *more]


@dataclass(frozen=True)
class Row:
    """One line of the file: its sheet row number and its cells."""

    line: int
    cells: dict[str, object]


def read_workbook(handle: IO[bytes]) -> list[Row]:
    """The rows of an uploaded .xlsx (first sheet, header in row 1); a clear 400 otherwise."""
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    head = handle.read(4)
    handle.seek(0)
    if head != b"PK\x03\x04":
        raise JishengError(_("Upload the list as an Excel workbook (.xlsx)."), code="not_xlsx")
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        try:
            cells = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    except Exception as exc:  # a damaged workbook fails in many ways; each means "unreadable"
        raise JishengError(
            _("The file could not be read as an Excel workbook (.xlsx)."), code="unreadable_file"
        ) from exc
    return sheet_rows(cells)


def sheet_rows(cells: Sequence[Sequence[object]]) -> list[Row]:
    """Rows from a sheet's cells: the header names the columns, blank rows are skipped."""
    if not cells:
        raise JishengError(_("The file is empty."), code="empty_file")
    header = [str(cell or "").strip().lower() for cell in cells[0]]
    where = {
        key: header.index(name)
        for key, names in COLUMNS.items()
        for name in names
        if name in header
    }
    missing = [names[0] for key, names in COLUMNS.items() if key not in where]
    if missing:
        raise JishengError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": "、".join(missing)},
            code="missing_columns",
        )
    rows: list[Row] = []
    for number, line in enumerate(cells[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in line):
            continue
        rows.append(
            Row(
                line=number,
                cells={key: line[i] if i < len(line) else None for key, i in where.items()},
            )
        )
        if len(rows) > MAX_ROWS:
            raise JishengError(
                _("A file may hold at most %(max)d rows.") % {"max": MAX_ROWS},
                code="too_many_rows",
            )
    if not rows:
        raise JishengError(_("The file holds no dispensings."), code="empty_file")
    return rows


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _quantity(value: object) -> int | None:
    text = str(value if value is not None else "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isascii() and text.isdigit() else None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _checked(rows: list[Row]) -> list[DispensingFields]:
    """Each row's stored fields, or every row's problems raised together."""
    problems: list[str] = []
    checked: list[DispensingFields] = []
    seen: dict[tuple[object, ...], int] = {}
    for row in rows:
        wrong: list[str] = []
        day = _date(row.cells["dispensed_on"])
        quantity = _quantity(row.cells["quantity"])
        if day is None:
            wrong.append(_("the date is missing or not a date (write 2026-11-20)"))
        if quantity is None:
            wrong.append(_("the quantity is not a whole number"))
        fields: DispensingFields | None = None
        try:
            fields = dispensing_fields(
                # A placeholder when the date is already reported wrong, so the other
                # cells are still checked.
                dispensed_on=day or PLACEHOLDER_DAY,
                drug=_text(row.cells["drug"]),
                quantity=quantity if quantity is not None else 1,
                buyer_name=_text(row.cells["buyer_name"]),
                buyer_id_number=_text(row.cells["buyer_id_number"]),
                prescriber=_text(row.cells["prescriber"]),
                prescription_ref=_text(row.cells["prescription_ref"]),
            )
        except JishengError as exc:
            wrong.append(str(exc.message))
        if fields is not None and not wrong:
            key = (
                fields["dispensed_on"],
                fields["drug"],
                fields["prescription_ref"],
                fields["buyer_id_number"],
            )
            if key in seen:
                wrong.append(_("the same line as row %(row)d") % {"row": seen[key]})
            seen.setdefault(key, row.line)
        if wrong:
            problems.append(
                _("Row %(row)d: %(problems)s.") % {"row": row.line, "problems": "；".join(wrong)}
            )
        elif fields is not None:
            checked.append(fields)
    if problems:
        raise DispensingRowsRefused(problems)
    return checked


def _digest(checked: list[DispensingFields]) -> str:
    """The rows' fingerprint, independent of row order and of how the cells were typed."""
    parts = sorted(
        "|".join(
            str(line[key])
            for key in (
                "dispensed_on",
                "drug",
                "quantity",
                "buyer_name",
                "prescriber",
                "prescription_ref",
            )
        )
        + "|"
        + id_digest(line["buyer_id_number"])
        for line in checked
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def dispensing_import(
    *, actor: Actor, outlet_id: int, rows: list[Row], file_name: str
) -> DispensingImport:
    """The outlet's list as dispensings, all or none; the same rows again: the first import."""
    require(actor, Capability.MANAGE_SUPERVISION)
    checked = _checked(rows)
    digest = _digest(checked)
    with transaction.atomic():
        outlet = locked_or_404(Outlet, user=actor.user, pk=outlet_id)
        earlier = DispensingImport.objects.filter(outlet=outlet, digest=digest).first()
        if earlier is not None:
            return earlier
        indexes = {id_digest(line["buyer_id_number"]) for line in checked}
        recorded = {
            (found.dispensed_on, found.drug, found.prescription_ref, found.buyer_id_index)
            for found in Dispensing.objects.filter(outlet=outlet, buyer_id_index__in=indexes)
        }
        problems = [
            _("Row %(row)d: %(problems)s.")
            % {"row": row.line, "problems": _("this dispensing is already recorded")}
            for row, line in zip(rows, checked, strict=True)
            if (
                line["dispensed_on"],
                line["drug"],
                line["prescription_ref"],
                id_digest(line["buyer_id_number"]),
            )
            in recorded
        ]
        if problems:
            raise DispensingRowsRefused(problems)
        batch = DispensingImport.objects.create(
            outlet=outlet,
            digest=digest,
            file_name=file_name[:200],
            rows=len(checked),
            imported_by=actor.user,
        )
        residents = {
            person.id_number_index: person
            for person in Person.objects.visible_to(actor.user)
            .filter(
                id_number_index__in={id_number_digest(line["buyer_id_number"]) for line in checked}
            )
            .exclude(status=ResidentStatus.VOIDED)
        }
        Dispensing.objects.bulk_create(
            Dispensing(
                outlet=outlet,
                source=batch,
                buyer=residents.get(id_number_digest(line["buyer_id_number"])),
                recorded_by=actor.user,
                **line,
            )
            for line in checked
        )
        audit.record(action=Action.CREATE, actor=actor, obj=batch, detail={"rows": len(checked)})
    return batch
