"""The four standard forms: which columns, from which figures. ``FORMS`` lists them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from jisheng.accounts.models import User
from jisheng.benefits.models import BenefitKind, Unit
from jisheng.contraceptives.models import ProductCategory
from jisheng.core.lookups import community_choices
from jisheng.core.models import OrgUnit
from jisheng.registry.models import LifeEvent
from jisheng.reports.forms import figures
from jisheng.reports.forms.periods import ReportPeriod
from jisheng.reports.forms.tables import Column, FormTable, Number, table_of


@dataclass(frozen=True)
class StandardForm:
    slug: str
    title: str | Promise
    build: Callable[[User, ReportPeriod], FormTable]


def _units(user: User) -> list[OrgUnit]:
    return list(community_choices(user).order_by("path"))


def _area(user: User) -> str:
    return user.org_unit.name if user.org_unit is not None else ""


def population(user: User, period: ReportPeriod, *, today: dt.date | None = None) -> FormTable:
    """户籍/流动 residents at the period's end, births by order and sex, deaths, moves."""
    at_end = figures.residents_at(user, period.end, today=today)
    born = figures.births(user, period)
    deaths = figures.event_counts(user, period, LifeEvent.Kind.DEATH)
    moved_in = figures.event_counts(user, period, LifeEvent.Kind.MOVE_IN)
    moved_out = figures.event_counts(user, period, LifeEvent.Kind.MOVE_OUT)
    units = set(at_end) | set(born) | set(deaths) | set(moved_in) | set(moved_out)
    values: dict[int, dict[str, Number]] = {}
    for unit_id in units:
        row: dict[str, Number] = dict(at_end.get(unit_id, {}))
        row["residents"] = row.get("registered", 0) + row.get("floating", 0)
        row.update(born.get(unit_id, {}))
        row["births"] = sum(int(n) for key, n in born.get(unit_id, {}).items())
        row["deaths"] = deaths.get(unit_id, 0)
        row["moved_in"] = moved_in.get(unit_id, 0)
        row["moved_out"] = moved_out.get(unit_id, 0)
        values[unit_id] = row
    at, birth = _("Residents at the end of the period"), pgettext("standard form", "Births")
    orders = (("b1", _("first child")), ("b2", _("second child")), ("b3", _("third or later")))
    columns = [
        Column("registered", _("Registered (户籍)"), at),
        Column("floating", _("Floating (流动)"), at),
        Column("residents", _("Total"), at),
        *(
            Column(f"{key}_{sex}", f"{order} {label}", birth)
            for key, order in orders
            for sex, label in (("m", _("boys")), ("f", _("girls")))
        ),
        Column("births", _("Total"), birth),
        Column("deaths", pgettext("standard form", "Deaths")),
        Column("moved_in", pgettext("standard form", "Moved in")),
        Column("moved_out", pgettext("standard form", "Moved out")),
    ]
    return table_of(
        slug="population",
        title=str(FORMS["population"].title),
        period=period,
        area=_area(user),
        columns=columns,
        units=_units(user),
        figures=values,
        total_label=_("Total"),
        subtotals=[
            ("registered", "floating", "residents"),
            ("b1_m", "b1_f", "b2_m", "b2_f", "b3_m", "b3_f", "births"),
        ],
        notes=[
            _(
                "Residents at the end of the period as recorded: today's residents, less "
                "those who arrived after it, plus those who left after it."
            )
        ],
    )


def prepregnancy(user: User, period: ReportPeriod) -> FormTable:
    """Target couples, checked couples and coverage, persons examined and high risks."""
    checked = _("Couples checked")
    columns = [
        Column("targets", _("Target couples")),
        Column("checked_both", _("Both spouses"), checked),
        Column("checked_one", _("One spouse"), checked),
        Column("checked", _("Total"), checked),
        Column("coverage", _("Coverage (%)"), kind="rate", rate_of=("checked", "targets")),
        Column("examined", _("Persons examined")),
        Column("high_risk", pgettext("standard form", "High risk")),
        Column(
            "high_risk_rate",
            _("High-risk rate (%)"),
            kind="rate",
            rate_of=("high_risk", "examined"),
        ),
    ]
    return table_of(
        slug="prepregnancy",
        title=str(FORMS["prepregnancy"].title),
        period=period,
        area=_area(user),
        columns=columns,
        units=_units(user),
        figures=figures.prepregnancy_checks(user, period),
        total_label=_("Total"),
        subtotals=[("checked_both", "checked_one", "checked")],
    )


def supply(user: User, period: ReportPeriod) -> FormTable:
    """Units issued by kind, roster users at the period's end, points in service."""
    issued = figures.issued_by_category(user, period)
    users = figures.roster_users_at(user, period.end)
    points = figures.distribution_points(user)
    values: dict[int, dict[str, Number]] = {}
    for unit_id in set(issued) | set(users) | set(points):
        row: dict[str, Number] = dict(issued.get(unit_id, {}))
        row["users"] = users.get(unit_id, 0)
        row["points"] = points.get(unit_id, 0)
        values[unit_id] = row
    group = _("Issued (units)")
    columns = [
        *(Column(f"issued_{value}", str(label), group) for value, label in ProductCategory.choices),
        Column("users", _("Users on the roster")),
        Column("points", _("Points in service")),
    ]
    return table_of(
        slug="supply",
        title=str(FORMS["supply"].title),
        period=period,
        area=_area(user),
        columns=columns,
        units=_units(user),
        figures=values,
        total_label=_("Total"),
        notes=[_("A street's own store has a row of its own after the communities.")],
    )


UNIT_WORDS: dict[str, Promise] = {
    Unit.COUPLE: pgettext_lazy("standard form", "Couples"),
    Unit.HOUSEHOLD: pgettext_lazy("standard form", "Households"),
    Unit.CHILD: pgettext_lazy("standard form", "Persons"),
    Unit.PERSON: pgettext_lazy("standard form", "Persons"),
}


def benefits(user: User, period: ReportPeriod) -> FormTable:
    """Per program: units paid (persons, couples or households) and the net amount paid in
    the period; a program that pays no money shows the persons served only."""
    paid = figures.benefits_paid(user, period)
    columns: list[Column] = []
    values: dict[int, dict[str, Number]] = {}
    for program in figures.programs_of(paid):
        count_key, amount_key = f"p{program.pk}_units", f"p{program.pk}_amount"
        columns.append(Column(count_key, str(UNIT_WORDS[program.unit]), program.name))
        cash = program.benefit_kind == BenefitKind.CASH
        if cash:
            columns.append(
                Column(amount_key, _("Amount (yuan)"), program.name, "amount", follows=count_key)
            )
        for unit_id, (units, net) in paid[program.pk].items():
            values.setdefault(unit_id, {})[count_key] = units
            if cash:
                values[unit_id][amount_key] = net
    return table_of(
        slug="benefits",
        title=str(FORMS["benefits"].title),
        period=period,
        area=_area(user),
        columns=columns,
        units=_units(user),
        figures=values,
        total_label=_("Total"),
        notes=[
            _(
                "Paid in the period: lines settled in it, reversals netted; imported history "
                "by the day each line was paid. Each program on its own: no grand total."
            )
        ],
    )


FORMS: dict[str, StandardForm] = {
    form.slug: form
    for form in (
        StandardForm(
            "population",
            gettext_lazy("Population and vital events"),
            lambda user, period: population(user, period, today=timezone.localdate()),
        ),
        StandardForm("prepregnancy", gettext_lazy("Pre-pregnancy health checks"), prepregnancy),
        StandardForm("supply", gettext_lazy("Contraceptive supply form"), supply),
        StandardForm("benefits", gettext_lazy("Family benefits paid"), benefits),
    )
}
