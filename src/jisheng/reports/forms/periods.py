"""The period a form covers: a month, a quarter or a year, as the offices name them."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core import text
from jisheng.core.dates import add_months

EARLIEST_YEAR = 1990


class PeriodKind:
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    choices = (
        (MONTH, gettext_lazy("Monthly")),
        (QUARTER, gettext_lazy("Quarterly")),
        (YEAR, gettext_lazy("Yearly")),
    )


class Labelled(Protocol):
    """What a table needs of its period: how to name it."""

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class ReportPeriod:
    """``kind`` month/quarter/year; ``number`` the month (1–12) or quarter (1–4), 0 for a year."""

    kind: str
    year: int
    number: int
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("%(year)d-%(month)02d") % {"year": self.year, "month": self.number}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)d Q%(quarter)d") % {"year": self.year, "quarter": self.number}
        return str(self.year)

    @property
    def query(self) -> dict[str, str]:
        """The query string naming this period (for links to the download and print view)."""
        params = {"kind": self.kind, "year": str(self.year)}
        if self.kind == PeriodKind.MONTH:
            params["month"] = str(self.number)
        elif self.kind == PeriodKind.QUARTER:
            params["quarter"] = str(self.number)
        return params


def report_period(kind: str, year: int, number: int = 0) -> ReportPeriod:
    """The period named; ``ValueError`` for a month or quarter out of range."""
    if kind == PeriodKind.MONTH:
        if not 1 <= number <= 12:
            raise ValueError(number)
        start = dt.date(year, number, 1)
        return ReportPeriod(kind, year, number, start, start.replace(day=_last(year, number)))
    if kind == PeriodKind.QUARTER:
        if not 1 <= number <= 4:
            raise ValueError(number)
        first = 3 * number - 2
        end = dt.date(year, first + 2, _last(year, first + 2))
        return ReportPeriod(kind, year, number, dt.date(year, first, 1), end)
    if kind == PeriodKind.YEAR:
        return ReportPeriod(kind, year, 0, dt.date(year, 1, 1), dt.date(year, 12, 31))
    raise ValueError(kind)


def _last(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def default_period(today: dt.date) -> ReportPeriod:
    """Last month: the form an office sends up at the start of a month."""
    last_month = add_months(today.replace(day=1), -1)
    return report_period(PeriodKind.MONTH, last_month.year, last_month.month)


class PeriodForm(text.Form):
    """The period picker of every form page; errors are messages people can act on."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind of form"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=gettext_lazy("Year"))
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        choices=[("", "—")] + [(str(m), str(m)) for m in range(1, 13)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        choices=[("", "—")] + [(str(q), str(q)) for q in range(1, 5)],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, year = data.get("kind"), data.get("year")
        if kind is None or year is None:
            return data
        if not EARLIEST_YEAR <= year <= self.today.year:
            raise forms.ValidationError(
                _("The year must lie between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": self.today.year}
            )
        number = 0
        if kind == PeriodKind.MONTH:
            number = data.get("month") or 0
            if not number:
                raise forms.ValidationError(_("Choose the month of a monthly form."))
        elif kind == PeriodKind.QUARTER:
            number = data.get("quarter") or 0
            if not number:
                raise forms.ValidationError(_("Choose the quarter of a quarterly form."))
        period = report_period(kind, year, number)
        if period.start > self.today:
            raise forms.ValidationError(
                _("The period %(period)s has not begun yet.") % {"period": period.label}
            )
        data["period"] = period
        return data

    @classmethod
    def initial_for(cls, period: ReportPeriod) -> dict[str, Any]:
        return {
            "kind": period.kind,
            "year": period.year,
            "month": period.number if period.kind == PeriodKind.MONTH else "",
            "quarter": period.number if period.kind == PeriodKind.QUARTER else "",
        }
