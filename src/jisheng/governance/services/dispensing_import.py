"""A pharmacy's monthly dispensing list, imported from a workbook or CSV: all rows or none.

Every row is checked before any is written; a bad file changes nothing and names each bad
row's problems. The same rows again (in any order) return the import made the first time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

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
from jisheng.registry.imports import files
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.services.persons import id_number_digest

MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024
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


def read_table(path: Path, file_name: str) -> list[Row]:
    """The rows of an uploaded .xlsx or .csv, read by the registry's file reader (type,
    encoding and damaged workbooks refused there); a clear 400 for a file that is not a list."""
    if path.stat().st_size > MAX_BYTES:
        raise files.ImportFileError(_("The file is larger than 5 MB."), code="too_large")
    sheet, header = files.open_table(path, file_name)
    where = _columns(header)
    found: list[Row] = []
    for line, cells in files.rows(sheet):
        if len(found) >= MAX_ROWS:
            raise files.ImportFileError(
                _("A file may hold at most %(max)d rows.") % {"max": MAX_ROWS},
                code="too_many_rows",
            )
        found.append(
            Row(
                line=line,
                cells={key: cells[i] if i < len(cells) else None for key, i in where.items()},
            )
        )
    if not found:
        raise files.ImportFileError(_("The file holds no dispensings."), code="empty_file")
    return found


def _columns(header: tuple[str, ...]) -> dict[str, int]:
    """Where each column is, found by its header text (case, spaces and ``*`` ignored)."""
    names = [files.header_text(text).lower() for text in header]
    where = {
        key: names.index(files.header_text(name))
        for key, synonyms in reversed(COLUMNS.items())
        for name in reversed(synonyms)
        if files.header_text(name) in names
    }
    missing = [synonyms[0] for key, synonyms in COLUMNS.items() if key not in where]
    if missing:
        raise files.ImportFileError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": "、".join(missing)},
            code="missing_columns",
        )
    return where


def template_rows() -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The header of a dispensing list and one example line, for the download on the page."""
    return TEMPLATE_HEADER, [
        (dt.date(2026, 11, 20), "米非司酮片", 1, "张某", "11010119900307002X", "李医生", "RX-0001")
    ]


def _quantity(value: object) -> int | None:
    text = files.text_of(value)
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 6 else None


def _checked(rows: list[Row]) -> list[DispensingFields]:
    """Each row's stored fields, or every row's problems raised together."""
    problems: list[str] = []
    checked: list[DispensingFields] = []
    seen: dict[tuple[object, ...], int] = {}
    for row in rows:
        wrong: list[str] = []
        day = files.parse_date(row.cells["dispensed_on"])
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
                drug=files.text_of(row.cells["drug"]),
                quantity=quantity if quantity is not None else 1,
                buyer_name=files.text_of(row.cells["buyer_name"]),
                buyer_id_number=files.text_of(row.cells["buyer_id_number"]),
                prescriber=files.text_of(row.cells["prescriber"]),
                prescription_ref=files.text_of(row.cells["prescription_ref"]),
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
