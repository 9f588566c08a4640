"""The sex-ratio chart on the dashboards: boys per 100 girls of each unit the user may count
over the last 12 months, with the births and the verdict in its table."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.accounts.models import User
from jisheng.core.charts import Chart, ChartData, Series
from jisheng.core.roles import Capability
from jisheng.governance.periods import of_month
from jisheng.governance.selectors import srb as srb_selectors


def sex_ratio(user: User) -> ChartData | None:
    """Communities (a district: its streets) over the 12 months to this one."""
    if not (
        user.has_capability(Capability.VIEW_HEALTH)
        or user.has_capability(Capability.VIEW_AGGREGATES)
    ):
        return None
    unit = user.org_unit
    level = "street" if unit is not None and unit.kind == "district" else "community"
    period = of_month("rolling", timezone.localdate())
    rows = srb_selectors.srb_rows(user, level=level, period=period)
    if not rows:
        return None
    may_list = user.has_capability(Capability.VIEW_PERSONAL)
    return ChartData(
        categories=[row.unit.name for row in rows],
        series=[
            Series(
                _("Sex ratio"),
                [round(r.figure.ratio, 1) if r.figure.ratio is not None else None for r in rows],
            ),
            Series(_("Births counted"), [r.figure.births for r in rows], table_only=True),
            Series(
                _("Lower bound"),
                [round(r.figure.low, 1) if r.figure.low is not None else None for r in rows],
                table_only=True,
            ),
            Series(
                _("Upper bound"),
                [round(r.figure.high, 1) if r.figure.high is not None else None for r in rows],
                table_only=True,
            ),
        ],
        as_of=timezone.now(),
        links=[
            reverse("governance:srb_births")
            + "?"
            + urlencode({"unit": str(row.unit.pk), "period": period.key})
            if may_list and row.figure.births
            else ""
            for row in rows
        ],
        category_label=_("Community") if level == "community" else _("Street"),
        note=_("%(period)s; high: %(units)s")
        % {
            "period": period.label,
            "units": "、".join(r.unit.name for r in rows if r.alert) or _("none"),
        },
    )


CHARTS = (Chart("sex_ratio", gettext_lazy("Sex ratio at birth"), sex_ratio, order=70),)
