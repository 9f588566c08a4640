"""Reads of the funds ledger, scoped to the reader: budget lines, entries, vouchers and the
execution report (budget against spending by category and level, per year and over years)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from jisheng.accounts.models import User
from jisheng.funds.categories import categories_ensure
from jisheng.funds.models import BudgetLine, Category, Entry, Level, Voucher

ZERO = Decimal("0.00")
# How many years one report may span (a page, not a data dump).
MAX_YEARS = 20


def categories() -> QuerySet[Category]:
    categories_ensure()
    return Category.objects.all()


def budget_lines(user: User, *, year: int | None = None) -> QuerySet[BudgetLine]:
    """Budget lines in the user's area, with what has been spent on each."""
    lines = BudgetLine.objects.visible_to(user).select_related("category", "org_unit")
    if year is not None:
        lines = lines.filter(year=year)
    return lines.annotate(spent=Sum("entries__amount"))


@dataclass(frozen=True)
class EntryFilters:
    """Which entries to list: each set field narrows the list."""

    first_year: int | None = None
    last_year: int | None = None
    category: str = ""
    level: str = ""
    budget_line_id: int | None = None
    over_budget: bool = False
    unbudgeted: bool = False
    source: str = ""

    def query(self) -> dict[str, Any]:
        """The filters as query-string values (for links and the pager)."""
        shown: dict[str, Any] = {
            "first": self.first_year,
            "last": self.last_year,
            "category": self.category,
            "level": self.level,
            "line": self.budget_line_id,
            "over": "1" if self.over_budget else "",
            "unbudgeted": "1" if self.unbudgeted else "",
        }
        return {key: value for key, value in shown.items() if value not in (None, "")}


def entries(user: User, filters: EntryFilters | None = None) -> QuerySet[Entry]:
    """Ledger entries in the user's area, newest first, narrowed by ``filters``."""
    found = Entry.objects.visible_to(user).select_related("category", "org_unit", "budget_line")
    if filters is None:
        return found
    if filters.first_year is not None:
        found = found.filter(year__gte=filters.first_year)
    if filters.last_year is not None:
        found = found.filter(year__lte=filters.last_year)
    if filters.category:
        found = found.filter(category__code=filters.category)
    if filters.level:
        found = found.filter(level=filters.level)
    if filters.budget_line_id is not None:
        found = found.filter(budget_line_id=filters.budget_line_id)
    if filters.over_budget:
        found = found.filter(over_budget=True)
    if filters.unbudgeted:
        found = found.filter(budget_line__isnull=True)
    if filters.source:
        found = found.filter(source=filters.source)
    return found


def vouchers(user: User) -> QuerySet[Voucher]:
    return Voucher.objects.visible_to(user).select_related("category", "org_unit")


# ------------------------------------------------------------------------------ report


@dataclass
class Figure:
    """Budget and spending of one cell of the report."""

    budget: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def over(self) -> bool:
        """Spent beyond a budget there is (spending where none was budgeted is ``no_budget``)."""
        return self.budget > 0 and self.spent > self.budget

    @property
    def no_budget(self) -> bool:
        return self.budget <= 0 and self.spent > 0

    @property
    def rate(self) -> Decimal | None:
        """Spent as a percent of the budget (None without a budget)."""
        if not self.budget:
            return None
        return (self.spent * 100 / self.budget).quantize(Decimal("0.1"))


@dataclass
class ReportRow:
    """One category and level: a figure per year and over all the years."""

    category: Category
    level: str
    years: dict[int, Figure] = field(default_factory=dict)
    total: Figure = field(default_factory=Figure)

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label) if self.level in Level.values else self.level


@dataclass
class YearTotal:
    """All categories of one year, and its growth on the year before."""

    year: int
    figure: Figure
    growth: Decimal | None  # percent on the previous year's spending; None: nothing to compare
    steady: bool | None  # 逐年稳定增长: spent more than the year before (None: first year)


@dataclass
class Report:
    first_year: int
    last_year: int
    rows: list[ReportRow]
    by_category: list[ReportRow]  # level "" : all levels of a category
    years: list[YearTotal]
    total: Figure
    over_lines: list[BudgetLine]
    unbudgeted: Figure  # spending that found no budget line

    @property
    def year_list(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


def _growth(spent: Decimal, before: Decimal | None) -> tuple[Decimal | None, bool | None]:
    if before is None:
        return None, None
    if not before:
        return None, spent > 0
    return ((spent - before) * 100 / before).quantize(Decimal("0.1")), spent > before


def execution_report(user: User, *, first_year: int, last_year: int) -> Report:
    """Budget against spending in the user's area for the years ``first_year``–``last_year``.

    Spending counts every entry of the year, whether or not it found a budget line;
    ``over_lines`` are the lines whose own entries exceed them; growth compares each
    year's spending with the year before (the year before the first is read for it).
    """
    years = range(first_year, last_year + 1)
    cats = list(categories())
    by_id = {c.pk: c for c in cats}
    cells: dict[tuple[int, str], ReportRow] = {}

    def row(category_id: int, level: str) -> ReportRow:
        key = (category_id, level)
        if key not in cells:
            cells[key] = ReportRow(category=by_id[category_id], level=level)
        return cells[key]

    budgets = (
        BudgetLine.objects.visible_to(user)
        .filter(year__gte=first_year, year__lte=last_year)
        .values("category_id", "level", "year")
        .annotate(total=Sum("amount"))
    )
    for item in budgets:
        target = row(item["category_id"], item["level"])
        target.years.setdefault(item["year"], Figure()).budget += item["total"]
    spent = (
        Entry.objects.visible_to(user)
        .filter(year__gte=first_year - 1, year__lte=last_year)
        .values("category_id", "level", "year")
        .annotate(total=Sum("amount"))
    )
    before = ZERO
    saw_before = False
    for item in spent:
        if item["year"] < first_year:
            before += item["total"]
            saw_before = True
            continue
        target = row(item["category_id"], item["level"])
        target.years.setdefault(item["year"], Figure()).spent += item["total"]

    level_order = {code: index for index, code in enumerate(Level.values)}
    rows = sorted(cells.values(), key=lambda r: (r.category.order, level_order.get(r.level, 99)))
    by_category: dict[int, ReportRow] = {}
    year_figures: dict[int, Figure] = defaultdict(Figure)
    total = Figure()
    for report_row in rows:
        summary = by_category.setdefault(
            report_row.category.pk, ReportRow(category=report_row.category, level="")
        )
        # In year order, every year present, so the page's columns line up.
        report_row.years = {year: report_row.years.get(year, Figure()) for year in years}
        for year in years:
            figure = report_row.years[year]
            report_row.total.budget += figure.budget
            report_row.total.spent += figure.spent
            cat_year = summary.years.setdefault(year, Figure())
            cat_year.budget += figure.budget
            cat_year.spent += figure.spent
            year_figures[year].budget += figure.budget
            year_figures[year].spent += figure.spent
        summary.total.budget += report_row.total.budget
        summary.total.spent += report_row.total.spent
        total.budget += report_row.total.budget
        total.spent += report_row.total.spent

    year_totals = []
    previous: Decimal | None = before if saw_before else None
    for year in years:
        figure = year_figures[year]
        growth, steady = _growth(figure.spent, previous)
        year_totals.append(YearTotal(year=year, figure=figure, growth=growth, steady=steady))
        previous = figure.spent

    over_lines = [
        line
        for line in budget_lines(user).filter(year__gte=first_year, year__lte=last_year)
        if (getattr(line, "spent", None) or ZERO) > line.amount
    ]
    # The cells with spending and no budget, summed from the rows so the figure matches the
    # "no budget" marks of the table (an entry keeps the line it found when recorded, so
    # counting entries without a line would also count those recorded before their line).
    unbudgeted = Figure(
        spent=sum(
            (
                figure.spent
                for report_row in rows
                for figure in report_row.years.values()
                if figure.no_budget
            ),
            ZERO,
        )
    )
    return Report(
        first_year=first_year,
        last_year=last_year,
        rows=rows,
        by_category=sorted(by_category.values(), key=lambda r: r.category.order),
        years=year_totals,
        total=total,
        over_lines=over_lines,
        unbudgeted=unbudgeted,
    )
