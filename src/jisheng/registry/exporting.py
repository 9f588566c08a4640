"""Writing resident files: the resident list (.xlsx, .csv) and an import's bad rows (.xlsx).

Exports show masked ID numbers only, and every text cell goes through ``safe_cell`` so that
Excel never runs it as a formula. Both formats stream: the workbook is written row by row
(openpyxl write-only) and the CSV is produced while the response is sent.
The column headers and the labels in cells are a file format, so they are Chinese constants.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jisheng.accounts.roles import Capability
from jisheng.audit import services as audit
from jisheng.audit.services import Action, Actor
from jisheng.core.errors import Forbidden
from jisheng.core.exports import safe_cell
from jisheng.registry import selectors
from jisheng.registry.imports import files
from jisheng.registry.models import Person

ExportFormat = Literal["xlsx", "csv"]
Row = Sequence[object]

EXPORT_HEADERS = ("姓名", "性别", "出生日期", "身份证号码", "社居", "住址", "状态")
SEX_LABELS = {"M": "男", "F": "女"}
STATUS_LABELS = {"living": "在住", "moved_out": "已迁出", "deceased": "已死亡", "voided": "已作废"}
ERROR_HEADER = "错误说明"
CSV_ROWS_PER_CHUNK = 500
ITERATOR_CHUNK = 2000


def person_export(
    *, actor: Actor, filters: selectors.PersonFilters, file_format: ExportFormat
) -> Iterator[Row]:
    """The filtered resident list of the actor's area as rows; the export is audited first."""
    if not actor.user.has_capability(Capability.VIEW_PERSONAL):
        raise Forbidden()
    persons = selectors.person_list(user=actor.user, filters=filters)
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            object_type="registry.person",
            detail={
                "filters": filters.as_audit_detail(),
                "format": file_format,
                "count": persons.count(),
            },
        )
    return _person_rows(persons)


def _person_rows(persons: QuerySet[Person]) -> Iterator[Row]:
    values = persons.values_list(
        "name", "sex", "birth_date", "id_number_masked", "community__name", "address", "status"
    )
    for name, sex, birth_date, masked, community, address, status in values.iterator(
        chunk_size=ITERATOR_CHUNK
    ):
        yield (
            safe_cell(name),
            SEX_LABELS.get(sex, safe_cell(sex)),
            birth_date,
            safe_cell(masked),
            safe_cell(community),
            safe_cell(address),
            STATUS_LABELS.get(status, safe_cell(status)),
        )


class _Line:
    """A write-only buffer for csv.writer: hands back what was written."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _csv_cell(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """UTF-8 with BOM (so Excel on Chinese Windows opens it right), a few hundred rows a chunk."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(header)
    yield "\ufeff".encode() + line.take().encode()
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        count += 1
        if count == CSV_ROWS_PER_CHUNK:
            yield line.take().encode()
            count = 0
    if count:
        yield line.take().encode()


def write_xlsx(
    target: Path | IO[bytes],
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    title: str,
    text_columns: Iterable[int] = (),
    widths: Mapping[int, int] | None = None,
) -> int:
    """A one-sheet workbook written row by row; dates as dates, listed columns as text."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.styles import Font  # type: ignore[import-untyped, unused-ignore]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    text = frozenset(text_columns)
    for index, width in (widths or {}).items():
        sheet.column_dimensions[_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for title_ in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(title_))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        cells: list[Any] = []
        for index, raw in enumerate(row):
            value = raw.date() if isinstance(raw, dt.datetime) else raw
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif index in text and value is not None:
                cell = WriteOnlyCell(sheet, value=_text_value(value))
                cell.number_format = "@"
                cells.append(cell)
            elif isinstance(value, str):
                cells.append(safe_cell(value))
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count


def _text_value(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return safe_cell(value)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

    return str(get_column_letter(index + 1))


def write_persons_xlsx(target: Path | IO[bytes], rows: Iterable[Row]) -> int:
    return write_xlsx(
        target,
        EXPORT_HEADERS,
        rows,
        title="居民",
        text_columns=(3,),
        widths={0: 12, 2: 12, 3: 22, 4: 14, 5: 36, 6: 10},
    )


def write_bad_rows(
    sheet: files.Sheet, problems: Mapping[int, list[str]], target: Path | IO[bytes]
) -> int:
    """The bad rows of an import as uploaded, with 错误说明 (row number and problems) added."""
    width = len(sheet.header)
    text_columns = [index for key, index in sheet.columns.items() if key in files.TEXT_COLUMNS]

    def bad_rows() -> Iterator[Row]:
        for number, cells in files.rows(sheet):
            if number in problems:
                padded = [*cells[:width], *([None] * (width - len(cells)))]
                explanation = _("Row %(row)s: %(problems)s") % {
                    "row": number,
                    "problems": "；".join(problems[number]),
                }
                yield [*padded, explanation]

    return write_xlsx(
        target,
        [*sheet.header, ERROR_HEADER],
        bad_rows(),
        title="错误行",
        text_columns=text_columns,
        widths={width: 60},
    )
