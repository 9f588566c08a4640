"""The charts one user sees, gathered from every app's ``dashboard_charts``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jisheng.accounts.models import User
from jisheng.core.charts import Chart, ChartData
from jisheng.core.modules import dashboard_charts


@dataclass(frozen=True)
class ShownChart:
    """A chart with its data for one user, and the same data as the page's script reads it."""

    chart: Chart
    data: ChartData

    @property
    def rows(self) -> list[tuple[str, str, list[tuple[Any, str]]]]:
        """The table behind the chart: (category, link, one (value, link) per series); a
        value's link is its series' own for that category, if the series has links."""
        links = self.data.links or [""] * len(self.data.categories)
        return [
            (
                category,
                links[i],
                [(s.values[i], s.links[i] if s.links else "") for s in self.data.series],
            )
            for i, category in enumerate(self.data.categories)
        ]

    @property
    def has_figures(self) -> bool:
        """Whether a drawn series holds a figure other than 0: an all-zero chart is an empty
        frame, so the page says there is nothing yet instead."""
        return any(
            value for series in self.data.series if not series.table_only for value in series.values
        )

    @property
    def spec(self) -> dict[str, Any]:
        return {
            "kind": self.data.kind,
            "categories": self.data.categories,
            "links": self.data.links,
            "series": [
                {
                    "name": str(s.name),
                    "values": s.values,
                    "line": s.line,
                    "stack": s.stack,
                    "right": s.right_axis,
                    "links": s.links,
                }
                for s in self.data.series
                if not s.table_only
            ],
        }


def dashboard_for(user: User) -> list[ShownChart]:
    """Every declared chart whose figures the user's duties cover, in page order."""
    shown = []
    for chart in dashboard_charts():
        data = chart.build(user)
        if data is not None:
            shown.append(ShownChart(chart, data))
    return shown
