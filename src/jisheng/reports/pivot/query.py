"""The pivot page's question, read from the query string: which measure, cut by what,
filtered how, over which months. Anything not on offer is a message, never a query."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.accounts.models import User
from jisheng.core import text
from jisheng.core.dates import add_months
from jisheng.reports.forms.periods import EARLIEST_YEAR
from jisheng.reports.pivot.cube import MEASURES, UNIT, CubeMeasure, Dimension
from jisheng.reports.rollups.selectors import unit_groups

FILTER_PREFIX = "f_"
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
# A filter value is a rollup dimension value (at most 24 characters there).
MAX_FILTER_VALUE = 24
MAX_FILTER_VALUES = 200


def measures_for(user: User) -> list[CubeMeasure]:
    """The measures the user's duties cover, in the page's order."""
    return [m for m in MEASURES.values() if any(user.has_capability(c) for c in m.readers)]


@dataclass(frozen=True)
class PivotQuery:
    """A checked question. ``start``/``end``: ``YYYY-MM`` (empty for a measure of the state
    now). ``filters``: dimension key → the values kept."""

    measure: CubeMeasure
    value: str
    rows: Dimension
    columns: Dimension | None
    start: str = ""
    end: str = ""
    filters: dict[str, frozenset[str]] = field(default_factory=dict)
    chart: bool = False

    @property
    def amount(self) -> bool:
        return self.value == "amount"

    def params(self) -> list[tuple[str, str]]:
        """The query string that asks this question again (favourites, links, downloads)."""
        pairs = [
            ("measure", self.measure.key),
            ("value", self.value),
            ("rows", self.rows.key),
            ("columns", self.columns.key if self.columns else ""),
        ]
        if self.measure.periods:
            pairs += [("start", self.start), ("end", self.end)]
        for key in sorted(self.filters):
            pairs += [(FILTER_PREFIX + key, value) for value in sorted(self.filters[key])]
        if self.chart:
            pairs.append(("show", "chart"))
        return pairs


def default_range(today: dt.date) -> tuple[str, str]:
    """The last twelve months, this month included."""
    first = add_months(today.replace(day=1), -11)
    return f"{first:%Y-%m}", f"{today:%Y-%m}"


class PivotForm(text.Form):
    """The pickers; ``clean`` checks every choice against the user's measures."""

    measure = forms.ChoiceField(label=gettext_lazy("Figure"))
    value = forms.ChoiceField(
        label=gettext_lazy("Value"),
        choices=[("count", gettext_lazy("Count")), ("amount", gettext_lazy("Amount"))],
        required=False,
    )
    rows = forms.ChoiceField(label=gettext_lazy("Rows"))
    columns = forms.ChoiceField(label=gettext_lazy("Columns"), required=False)
    start = forms.CharField(label=gettext_lazy("From month"), required=False, max_length=7)
    end = forms.CharField(label=gettext_lazy("To month"), required=False, max_length=7)
    show = forms.ChoiceField(
        label=gettext_lazy("Show as"),
        choices=[("table", gettext_lazy("Table")), ("chart", gettext_lazy("Chart"))],
        required=False,
    )

    def __init__(self, data: QueryDict | None, *, user: User, today: dt.date, **kw: Any) -> None:
        super().__init__(data, **kw)
        self.today = today
        self.user = user
        self.offered = {m.key: m for m in measures_for(user)}
        self._choose("measure", [(m.key, str(m.label)) for m in self.offered.values()])
        keys: dict[str, str] = {}
        for measure in self.offered.values():
            for dimension in measure.dimensions:
                keys.setdefault(dimension.key, str(dimension.label))
        self._choose("rows", list(keys.items()))
        self._choose("columns", [("", _("(none)")), *keys.items()])
        self.filter_values: dict[str, frozenset[str]] = {}
        if data is not None:
            for name in data:
                if name.startswith(FILTER_PREFIX):
                    self.filter_values[name[len(FILTER_PREFIX) :]] = frozenset(data.getlist(name))

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices

    def _unit_values(self) -> frozenset[str]:
        """The unit filter's possible values: the viewer's side-by-side units (and their own)."""
        layout = unit_groups(self.user)
        return frozenset(
            [str(group) for group in layout.group_of.values()]
            + [str(unit.pk) for unit in layout.groups]
        )

    def _month(self, name: str, fallback: str) -> str:
        raw = (self.cleaned_data.get(name) or "").strip() or fallback
        match = MONTH_PATTERN.match(raw)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(
                _("Write the month as year-month, e.g. %(example)s.")
                % {"example": f"{self.today:%Y-%m}"}
            )
        if not EARLIEST_YEAR <= int(match.group(1)) <= self.today.year:
            raise forms.ValidationError(
                _("The year must lie between %(first)d and %(last)d.")
                % {"first": EARLIEST_YEAR, "last": self.today.year}
            )
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        measure = self.offered.get(data.get("measure") or "")
        if measure is None:
            return data
        rows = measure.dimension(data.get("rows") or "")
        columns_key = data.get("columns") or ""
        columns = measure.dimension(columns_key) if columns_key else None
        problems = []
        if rows is None:
            problems.append(_("%(figure)s cannot be cut by that row.") % {"figure": measure.label})
        if columns_key and columns is None:
            problems.append(
                _("%(figure)s cannot be cut by that column.") % {"figure": measure.label}
            )
        if rows is not None and columns is not None and rows.key == columns.key:
            problems.append(_("Rows and columns must be cut by different things."))
        value = data.get("value") or "count"
        if value == "amount" and measure.amount is None:
            problems.append(_("%(figure)s has no amount.") % {"figure": measure.label})
        for key, values in self.filter_values.items():
            if measure.dimension(key) is None:
                problems.append(
                    _("%(figure)s cannot be filtered that way.") % {"figure": measure.label}
                )
            elif len(values) > MAX_FILTER_VALUES or any(len(v) > MAX_FILTER_VALUE for v in values):
                problems.append(_("A filter holds a value that does not exist."))
            elif key == UNIT.key and not values <= self._unit_values():
                problems.append(_("The unit filter names a unit that is not shown here."))
        start = end = ""
        if measure.periods:
            first, last = default_range(self.today)
            try:
                start, end = self._month("start", first), self._month("end", last)
            except forms.ValidationError as exc:
                problems.extend(exc.messages)
            else:
                if start > end:
                    problems.append(_("The first month comes after the last."))
        if problems or rows is None:
            raise forms.ValidationError(problems)
        data["query"] = PivotQuery(
            measure=measure,
            value=value,
            rows=rows,
            columns=columns,
            start=start,
            end=end,
            filters={k: v for k, v in self.filter_values.items() if v},
            chart=data.get("show") == "chart",
        )
        return data
