"""The execution report as a workbook (core.exports): the rows of the page, then the yearly
totals with their growth."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _

from jisheng.core.exports import write_xlsx
from jisheng.funds.selectors import Report


def report_rows(report: Report) -> tuple[list[str], list[list[object]]]:
    """Header and rows: category, level, budget and spent per year, then over all years."""
    header = [_("Category"), _("Level")]
    for year in report.year_list:
        header += [
            _("%(year)d budget") % {"year": year},
            _("%(year)d spent") % {"year": year},
        ]
    header += [_("Total budget"), _("Total spent"), _("Beyond the budget")]
    rows: list[list[object]] = []
    for row in [*report.rows, *report.by_category]:
        cells: list[object] = [row.category.name, row.level_label if row.level else _("All levels")]
        for year in report.year_list:
            figure = row.years[year]
            cells += [figure.budget, figure.spent]
        cells += [row.total.budget, row.total.spent, _("Yes") if row.total.over else ""]
        rows.append(cells)
    total: list[object] = [_("Total"), ""]
    for year_total in report.years:
        total += [year_total.figure.budget, year_total.figure.spent]
    total += [report.total.budget, report.total.spent, _("Yes") if report.total.over else ""]
    rows.append(total)
    growth: list[object] = [_("Growth on the year before (%)"), ""]
    steady: list[object] = [_("Steady growth year on year"), ""]
    for year_total in report.years:
        growth += ["", year_total.growth if year_total.growth is not None else "—"]
        steady += [
            "",
            "—" if year_total.steady is None else _("Yes") if year_total.steady else _("No"),
        ]
    rows += [growth, steady]
    return header, rows


def report_xlsx(report: Report, target: IO[bytes]) -> int:
    header, rows = report_rows(report)
    return write_xlsx(
        target,
        header,
        rows,
        title=_("Funds execution"),
        widths={0: 22, 1: 12},
    )
