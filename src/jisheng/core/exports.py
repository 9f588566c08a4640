"""One export writer: CSV streamed in chunks and one-sheet XLSX workbooks, both safe to open.

Every text cell goes through :func:`safe_cell`, so that Excel never runs it as a formula
(a cell starting with = + - @ tab or CR gets a leading apostrophe) and one stored control
character cannot make the whole workbook fail (openpyxl's IllegalCharacterError).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from jisheng.core.text import xml_safe

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_ROWS_PER_CHUNK = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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
    """Dates in ISO form, text formula-safe; numbers as they are (a negative amount stays one)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_cell(value)
    return "" if value is None else str(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """UTF-8 with BOM (so Excel on Chinese Windows opens it right), a few hundred rows a chunk."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow([safe_cell(title) for title in header])
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
    preamble: Sequence[str] = (),
    footer: Sequence[Row] = (),
    number_formats: Mapping[int, str] | None = None,
    landscape: bool = False,
) -> int:
    """A one-sheet workbook written row by row; dates as dates, listed columns as text.

    For printed forms: ``preamble`` lines (title, period) above the header, ``footer``
    rows (totals) in bold after the data, ``number_formats`` per column, and ``landscape``
    A4 pages that repeat the header rows. Returns the number of data rows.
    """
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.styles import (  # type: ignore[import-untyped, unused-ignore]
        Alignment,
        Font,
        PatternFill,
    )

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    text = frozenset(text_columns)
    formats = number_formats or {}
    for index, width in (widths or {}).items():
        sheet.column_dimensions[_letter(index)].width = width
    bold = Font(bold=True)
    header_row = len(preamble) + 1
    if landscape:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.freeze_panes = f"B{header_row + 1}"
    for index, line in enumerate(preamble):
        cell = WriteOnlyCell(sheet, value=safe_cell(line))
        cell.font = Font(bold=True, size=14 if index == 0 else 11)
        sheet.append([cell])
    header_cells = []
    for title_ in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(title_))
        cell.font = bold
        if preamble or footer:
            cell.fill = PatternFill("solid", fgColor="DDE4EE")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)

    def cells_of(row: Row, font: Any = None) -> list[Any]:
        cells: list[Any] = []
        for index, raw in enumerate(row):
            value = raw.date() if isinstance(raw, dt.datetime) else raw
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
            elif index in text and value is not None:
                cell = WriteOnlyCell(sheet, value=_text_value(value))
                cell.number_format = "@"
            elif font is None and (index not in formats or isinstance(value, str | None)):
                # Plain values: a big export stays fast (no cell object per value).
                cells.append(safe_cell(value) if isinstance(value, str) else value)
                continue
            else:
                cell = WriteOnlyCell(
                    sheet, value=safe_cell(value) if isinstance(value, str) else value
                )
                if index in formats and not isinstance(value, str | None):
                    cell.number_format = formats[index]
            if font is not None:
                cell.font = font
            cells.append(cell)
        return cells

    count = 0
    for row in rows:
        sheet.append(cells_of(row))
        count += 1
    for row in footer:
        sheet.append(cells_of(row, bold))
    workbook.save(target)
    return count


def _text_value(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return safe_cell(value)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped, unused-ignore]

    return str(get_column_letter(index + 1))


def xlsx_response(write: Callable[[IO[bytes]], object], *, filename: str) -> FileResponse:
    """A download of the workbook ``write`` puts into a temporary file; never cached.

    The file lives on disk, not in memory, and the response closes (and so deletes) it.
    ``FileResponse`` names it in ``Content-Disposition`` both ways (``filename=`` and the
    RFC 5987 ``filename*=utf-8''…``), so a Chinese file name arrives intact.
    """
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    try:
        write(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    # Exports hold personal data: no browser or proxy keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


def csv_response(
    header: Sequence[str], rows: Iterable[Row], *, filename: str
) -> StreamingHttpResponse:
    """A download of :func:`csv_chunks`, streamed as the rows are read; never cached.

    ``Content-Disposition`` carries the RFC 5987 form too, as for :func:`xlsx_response`.
    """
    response = StreamingHttpResponse(
        csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response["Cache-Control"] = "no-store"
    return response
