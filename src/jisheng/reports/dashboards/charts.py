"""The reports app's own dashboard charts, all read from the rollups.

Each builder returns None when the user's duties do not cover the figures, and links a bar
to the scoped list of its records only when the user may open that list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.accounts.models import User
from jisheng.benefits.models import Program
from jisheng.contraceptives.models import DistributionPoint, ProductCategory
from jisheng.core.charts import Chart, ChartData, Series
from jisheng.core.dates import add_months
from jisheng.core.roles import Capability
from jisheng.migrants.models import MoveKind
from jisheng.registry.models import ResidentStatus, Sex
from jisheng.reports.rollups import selectors as rollups

AGE_BAND = 5
OLDEST_BAND = 85
EXPIRY_WARNING_MONTHS = 3


def _holds_any(user: User, *capabilities: Capability) -> bool:
    return any(user.has_capability(c) for c in capabilities)


def _link(name: str, **query: object) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def _today() -> dt.date:
    return timezone.localdate()


def age_bands() -> list[tuple[int, int | None]]:
    """``(from, to)`` ages, 5 years wide; the last is open (``to`` None)."""
    return [(a, a + AGE_BAND - 1) for a in range(0, OLDEST_BAND, AGE_BAND)] + [(OLDEST_BAND, None)]


def band_label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f"{low}+"


def pyramid(user: User) -> ChartData | None:
    """Residents living here by sex and age band (age: this year minus the birth year)."""
    if not user.has_capability(Capability.VIEW_PERSONAL):
        return None
    year = _today().year
    counts = rollups.totals(user, "persons", ("d2", "d3"), d1=ResidentStatus.LIVING)
    bands = age_bands()
    by_sex: dict[str, list[int | float | None]] = {
        Sex.MALE: [0] * len(bands),
        Sex.FEMALE: [0] * len(bands),
    }
    for (sex, born), (n, _amount) in counts.items():
        age = max(0, year - int(born))
        index = min(age // AGE_BAND, len(bands) - 1)
        by_sex[sex][index] = int(by_sex[sex][index] or 0) + n
    links = [
        _link(
            "registry:person_list",
            status=ResidentStatus.LIVING,
            age_min=low,
            **({"age_max": high} if high is not None else {}),
        )
        for low, high in bands
    ]
    return ChartData(
        categories=[band_label(low, high) for low, high in bands],
        series=[
            Series(Sex.MALE.label, by_sex[Sex.MALE]),
            Series(Sex.FEMALE.label, by_sex[Sex.FEMALE]),
        ],
        as_of=rollups.as_of(),
        kind="pyramid",
        links=links,
        category_label=_("Age"),
        note=_("Age is this year minus the year of birth; the list behind a bar uses exact ages."),
    )


def last_months(today: dt.date, n: int = 12) -> list[str]:
    first = today.replace(day=1)
    return [f"{add_months(first, -i):%Y-%m}" for i in reversed(range(n))]


def births(user: User) -> ChartData | None:
    """Births of the last twelve months by sex, with the sex ratio at birth (boys per 100 girls)."""
    if not _holds_any(user, Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES):
        return None
    months = last_months(_today())
    counts = rollups.totals(user, "births", ("period", "d1"), period__gte=months[0])
    boys = [counts.get((m, Sex.MALE), (0, 0))[0] for m in months]
    girls = [counts.get((m, Sex.FEMALE), (0, 0))[0] for m in months]
    ratio: list[float | int | None] = [
        round(b * 100 / g, 1) if g else None for b, g in zip(boys, girls, strict=True)
    ]
    # A month's bar opens the residents born here in it (the registry's own list).
    links = (
        [_link("registry:person_list", born_in=month) for month in months]
        if user.has_capability(Capability.VIEW_PERSONAL)
        else []
    )
    return ChartData(
        categories=months,
        links=links,
        series=[
            Series(_("Boys"), list(boys), stack="births"),
            Series(_("Girls"), list(girls), stack="births"),
            Series(_("Sex ratio at birth"), ratio, line=True, right_axis=True),
        ],
        as_of=rollups.as_of(),
        category_label=_("Month"),
        note=_("Sex ratio at birth: boys born per 100 girls born."),
    )


def residents_by_unit(user: User) -> ChartData | None:
    """Residents and households of each unit side by side (above community level)."""
    if not user.has_capability(Capability.VIEW_PERSONAL) or user.org_unit is None:
        return None
    if user.org_unit.is_community:
        return None
    layout, persons = rollups.by_group(user, "persons", ("d1",), d1=ResidentStatus.LIVING)
    _layout, households = rollups.by_group(user, "households")
    units = layout.groups
    return ChartData(
        categories=[u.name for u in units],
        series=[
            Series(
                _("Residents living here"),
                [persons.get((u.pk, ("living",)), (0, 0))[0] for u in units],
            ),
            Series(_("Households"), [households.get((u.pk, ()), (0, 0))[0] for u in units]),
        ],
        as_of=rollups.as_of(),
        links=[
            _link("registry:person_list", community=u.pk, status=ResidentStatus.LIVING)
            if u.is_community
            else ""
            for u in units
        ],
        category_label=_("Unit"),
    )


def coverage(user: User) -> ChartData | None:
    """This year's pre-pregnancy target couples per unit, how many have a checked spouse, and
    the coverage (checked per 100 targets)."""
    if not _holds_any(user, Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES):
        return None
    year = str(_today().year)
    layout, counts = rollups.by_group(user, "couples", ("d1",), period__startswith=year)
    units = layout.groups
    targets = [sum(n for (g, _d), (n, _a) in counts.items() if g == u.pk) for u in units]
    checked = [
        sum(n for (g, (spouses,)), (n, _a) in counts.items() if g == u.pk and spouses != "0")
        for u in units
    ]
    rate: list[float | int | None] = [
        round(c * 100 / t, 1) if t else None for c, t in zip(checked, targets, strict=True)
    ]
    may_list = user.has_capability(Capability.VIEW_HEALTH)
    return ChartData(
        categories=[u.name for u in units],
        series=[
            Series(_("Target couples"), list(targets)),
            Series(_("Checked couples"), list(checked)),
            Series(_("Coverage (%)"), rate, line=True, right_axis=True),
        ],
        as_of=rollups.as_of(),
        links=[
            _link("prepregnancy:couple_list", community=u.pk) if may_list and u.is_community else ""
            for u in units
        ],
        category_label=_("Unit"),
        note=_("Couples who became targets this year; checked: at least one spouse examined."),
    )


def stock(user: User) -> ChartData | None:
    """Contraceptive stock on hand per distribution point: usable, expiring within three
    months, expired (by month of expiry)."""
    if not _holds_any(user, Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES):
        return None
    this_month = f"{_today():%Y-%m}"
    soon = f"{add_months(_today().replace(day=1), EXPIRY_WARNING_MONTHS):%Y-%m}"
    counts = rollups.totals(user, "stock", ("d1", "d2"))
    point_ids = sorted({int(point) for point, _month in counts})
    points = DistributionPoint.objects.in_bulk(point_ids)
    usable = [0] * len(point_ids)
    expiring = [0] * len(point_ids)
    expired = [0] * len(point_ids)
    for (point, month), (n, _a) in counts.items():
        i = point_ids.index(int(point))
        if month < this_month:
            expired[i] += n
        elif month <= soon:
            expiring[i] += n
        else:
            usable[i] += n
    may_list = user.has_capability(Capability.MANAGE_STOCK)
    return ChartData(
        categories=[points[p].name if p in points else str(p) for p in point_ids],
        series=[
            Series(_("Usable"), list(usable), stack="stock"),
            Series(_("Expiring within 3 months"), list(expiring), stack="stock"),
            Series(_("Expired"), list(expired), stack="stock"),
        ],
        as_of=rollups.as_of(),
        links=[
            reverse("contraceptives:point_detail", args=[p]) if may_list else "" for p in point_ids
        ],
        category_label=_("Distribution point"),
        note=_("Expiry is counted by month: a lot expiring this month counts as expiring."),
    )


def issues(user: User) -> ChartData | None:
    """Contraceptives issued this year by month and product category (units handed out)."""
    if not _holds_any(user, Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES):
        return None
    year = _today().year
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    counts = rollups.totals(user, "issues", ("period", "d1"), period__startswith=str(year))
    return ChartData(
        categories=months,
        series=[
            Series(
                category.label,
                [int(counts.get((m, category.value), (0, Decimal(0)))[1]) for m in months],
                stack="issues",
            )
            for category in ProductCategory
        ],
        as_of=rollups.as_of(),
        category_label=_("Month"),
    )


def payouts(user: User) -> ChartData | None:
    """Benefits paid per year and program: amounts (bars); persons paid in the table."""
    if not _holds_any(user, Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES):
        return None
    counts = rollups.totals(user, "payouts", ("period", "d1"))
    years = sorted({year for year, _program in counts})
    program_ids = sorted({int(program) for _year, program in counts})
    programs = Program.objects.in_bulk(program_ids)
    series: list[Series] = []
    for pid in program_ids:
        name = programs[pid].name if pid in programs else str(pid)
        series.append(
            Series(
                _("%(program)s: amount (yuan)") % {"program": name},
                [float(counts.get((y, str(pid)), (0, Decimal(0)))[1]) for y in years],
            )
        )
        series.append(
            Series(
                _("%(program)s: persons") % {"program": name},
                [counts.get((y, str(pid)), (0, 0))[0] for y in years],
                table_only=True,
            )
        )
    # A year's bar opens that year's totals per program and community, from the payments.
    links = (
        [f"{reverse('benefits:year_totals')}?{urlencode({'year': year})}" for year in years]
        if user.has_capability(Capability.VIEW_PERSONAL)
        else []
    )
    return ChartData(
        categories=years,
        series=series,
        links=links,
        as_of=rollups.as_of(),
        category_label=_("Year"),
    )


def _migrant_links(user: User, kind: str, queries: list[dict[str, object]]) -> list[str]:
    """The scoped inflow or outflow list behind each bar, for users who may read records."""
    if not user.has_capability(Capability.VIEW_PERSONAL):
        return []
    name = "migrants:inflow_list" if kind == MoveKind.INFLOW else "migrants:outflow_list"
    return [_link(name, **query) if query else "" for query in queries]


def migrants_by_month(user: User) -> ChartData | None:
    """Floating-population records opened by month of the move over the last twelve months:
    inflow and outflow side by side, each bar opening that month's records of its kind."""
    if not _holds_any(user, Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES):
        return None
    months = last_months(_today())
    counts = rollups.totals(user, "migrants", ("period", "d1"), period__gte=months[0])
    return ChartData(
        categories=months,
        series=[
            Series(
                kind.label,
                [counts.get((m, kind.value), (0, 0))[0] for m in months],
                links=_migrant_links(user, kind, [{"month": m} for m in months]),
            )
            for kind in MoveKind
        ],
        as_of=rollups.as_of(),
        category_label=_("Month"),
        note=_(
            "Inflow: living here, registered elsewhere; outflow: the reverse. By the month of "
            "the move, ended records included."
        ),
    )


def migrants_by_unit(user: User) -> ChartData | None:
    """The last twelve months' inflow and outflow of each unit side by side (above community
    level: a street its communities, a district its streets)."""
    if not _holds_any(user, Capability.VIEW_PERSONAL, Capability.VIEW_AGGREGATES):
        return None
    if user.org_unit is None or user.org_unit.is_community:
        return None
    since = last_months(_today())[0]
    layout, counts = rollups.by_group(user, "migrants", ("d1",), period__gte=since)
    units = layout.groups
    return ChartData(
        categories=[u.name for u in units],
        series=[
            Series(
                kind.label,
                [counts.get((u.pk, (kind.value,)), (0, 0))[0] for u in units],
                # A community's bar opens its list; a street's would mix communities.
                links=_migrant_links(
                    user,
                    kind,
                    [{"community": u.pk, "since": since} if u.is_community else {} for u in units],
                ),
            )
            for kind in MoveKind
        ],
        as_of=rollups.as_of(),
        category_label=_("Unit"),
        note=_("Moves since %(month)s, ended records included.") % {"month": since},
    )


CHARTS = (
    Chart("pyramid", gettext_lazy("Population pyramid"), pyramid, order=10),
    Chart("residents_by_unit", gettext_lazy("Residents by unit"), residents_by_unit, order=15),
    Chart("births", gettext_lazy("Births by month and sex"), births, order=20),
    Chart("coverage", gettext_lazy("Pre-pregnancy check coverage"), coverage, order=30),
    Chart("stock", gettext_lazy("Contraceptive stock and expiry by point"), stock, order=40),
    Chart("issues", gettext_lazy("Contraceptives issued by product kind"), issues, order=45),
    Chart("payouts", gettext_lazy("Benefit payouts by program and year"), payouts, order=50),
    Chart(
        "migrants_by_month",
        gettext_lazy("Floating population: inflow and outflow by month"),
        migrants_by_month,
        order=55,
    ),
    Chart(
        "migrants_by_unit",
        gettext_lazy("Floating population: inflow and outflow by unit"),
        migrants_by_unit,
        order=56,
    ),
)
