"""The targets module's chart on the dashboards: the latest quarter's assessment totals of the
communities the user may read, best first (a community worker sees only its own)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.accounts.models import User
from jisheng.core.charts import Chart, ChartData, Series
from jisheng.core.indicators import Period
from jisheng.core.roles import Capability
from jisheng.targets import selectors
from jisheng.targets.models import Assessment, PartyKind


def scores(user: User) -> ChartData | None:
    """Totals of the latest assessed quarter, with each bar opening its assessment sheet."""
    if not user.has_capability(Capability.VIEW_TARGETS):
        return None
    latest = (
        Assessment.objects.visible_to(user)
        .filter(book__kind=PartyKind.COMMUNITY, quarter__gte=1)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )
    if latest is None:
        return None
    year, quarter = latest
    period = Period(year, quarter)
    ranked = selectors.ranking(user, period=period, kind=PartyKind.COMMUNITY)
    computed = [row.assessment.computed_at for row in ranked if row.assessment.computed_at]
    return ChartData(
        categories=[row.assessment.book.party_name for row in ranked],
        series=[
            Series(_("Score"), [float(row.assessment.total) for row in ranked]),
            Series(_("Rank"), [row.rank for row in ranked], table_only=True),
        ],
        as_of=max(computed, default=None),
        links=[reverse("targets:assessment_detail", args=[row.assessment.pk]) for row in ranked],
        category_label=_("Community"),
        note=_("%(year)d, quarter %(quarter)d") % {"year": year, "quarter": quarter},
    )


CHARTS = (Chart("target_scores", gettext_lazy("Target assessment scores"), scores, order=60),)
