"""One export writer: CSV streamed in chunks and one-sheet XLSX workbooks, both safe to open.

Every text cell goes through :func:`safe_cell`, so that Excel never runs it as a formula
(a cell starting with = + - @ tab or CR gets a leading apostrophe) and one stored control
character cannot make the whole workbook fail (openpyxl's IllegalCharacterError).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from jisheng.core.text import xml_safe

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_ROWS_PER_CHUNK = 500

Row = Sequence[object]


def safe_cell(value: object) -> str:
    """Text for a CSV/XLSX cell that Excel will never run as a formula and an .xlsx can hold
    (characters XML forbids are dropped: data stored before input was checked)."""
    text = "" if value is None else xml_safe(str(value))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


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
