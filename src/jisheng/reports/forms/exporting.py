"""A form as a workbook: title and period above, the header, the communities, the total row
in bold; A4 landscape with the header repeated on every printed page."""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core.exports import write_xlsx
from jisheng.reports.forms.tables import FormTable

FORMATS = {"count": "#,##0", "amount": "#,##0.00", "rate": "0.0"}


def header_labels(table: FormTable) -> list[str]:
    """One header row: a grouped column is named "group · column"."""
    return [table.row_label or _("Community")] + [
        f"{column.group} · {column.label}" if column.group else column.label
        for column in table.columns
    ]


def write_form(handle: IO[bytes], table: FormTable, *, outside: bool) -> int:
    """The workbook of ``table``; ``outside``: small counts suppressed (对外)."""
    grid = table.grid(outside=outside)
    rows = [
        [row.label, *(cell.shown for cell in cells)]
        for row, cells in zip(table.rows, grid, strict=False)
    ]
    total = [table.total.label, *(cell.shown for cell in grid[-1])]
    preamble = [
        table.title,
        _("%(area)s · %(period)s · made %(time)s")
        % {
            "area": table.area,
            "period": table.period.label,
            "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
    ]
    if outside:
        preamble.append(
            _(
                "For outside parties: <5 is a count from 1 to 4; × is hidden so it cannot be "
                "worked out from the totals."
            )
        )
    preamble.extend(str(note) for note in table.notes)
    labels = header_labels(table)
    widths = {0: 16} | {
        index: max(10, min(24, len(label) * 2)) for index, label in enumerate(labels) if index
    }
    formats = {index: FORMATS[column.kind] for index, column in enumerate(table.columns, start=1)}
    return write_xlsx(
        handle,
        labels,
        rows,
        title=table.title[:31],
        widths=widths,
        preamble=preamble,
        footer=[total],
        number_formats=formats,
        landscape=True,
    )


def file_name(table: FormTable, *, outside: bool) -> str:
    """``人口与出生情况表_2026年第1季度.xlsx``; ``（对外）`` when suppressed."""
    suffix = _(" (for outside parties)") if outside else ""
    return f"{table.title}_{table.period.label}{suffix}.xlsx".replace("/", "-")
