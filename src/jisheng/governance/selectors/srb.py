"""Sex ratio at birth over the registry's births: counts by unit, period, birth order and
residence, in one grouped query; the figures and verdicts come from ``governance.srb``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Func, IntegerField, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.db.models.sql.compiler import SQLCompiler

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require_any
from jisheng.core.roles import Capability
from jisheng.governance.periods import SrbPeriod
from jisheng.governance.srb import SexRatio, Verdict, minimum_births
from jisheng.registry.models import LifeEvent, Sex

ORDERS = ("1", "2", "3")  # "3": third and later
RESIDENCES = ("resident", "floating")
LEVELS = ("community", "street", "district")
COMMUNITY_KINDS = (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE)
_LEVEL_KINDS = {
    "community": COMMUNITY_KINDS,
    "street": (OrgUnit.Kind.STREET,),
    "district": (OrgUnit.Kind.DISTRICT,),
}


class _DatePart(Func):
    """A part of a date computed by the database itself: Django's ``Extract`` calls back into
    Python for every row on SQLite, which dominates a grouped count over many births."""

    output_field = IntegerField()
    part = ""
    sqlite_format = ""

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        return super().as_sql(
            compiler, connection, template=f"EXTRACT({self.part} FROM %(expressions)s)", **extra
        )

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        # %%%% survives the template (→ %%) and the driver's placeholder pass (→ %).
        template = f"CAST(strftime('%%%%{self.sqlite_format}', %(expressions)s) AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, **extra)


class _Year(_DatePart):
    part, sqlite_format = "YEAR", "Y"


class _Month(_DatePart):
    part, sqlite_format = "MONTH", "m"


class _Quarter(_DatePart):
    part, sqlite_format = "QUARTER", "m"

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        sql, params = super().as_sqlite(compiler, connection, **extra)
        return f"(({sql} + 2) / 3)", params


def _order_bucket() -> Func:
    """The birth order as 1, 2 or 3 (third and later) computed in SQL: grouping by the raw
    JSON value would decode it per row and make more groups."""
    order = Coalesce(Cast(KeyTextTransform("birth_order", "data"), IntegerField()), Value(1))
    return Least(Greatest(order, Value(1)), Value(3), output_field=IntegerField())


def order_key(order: object) -> str:
    """The birth order a birth event notes, as "1", "2" or "3" (third and later)."""
    try:
        number = int(order)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        number = 1
    return str(min(max(number, 1), 3))


def require_srb(user: User) -> None:
    """Health workers read the figures of their area; leaders and supervisors count them."""
    require_any(user, Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES)


def _births(events: QuerySet[LifeEvent], start: dt.date, end: dt.date) -> QuerySet[LifeEvent]:
    return events.filter(
        kind=LifeEvent.Kind.BIRTH, reversed_by__isnull=True, date__gte=start, date__lte=end
    )


Key = tuple[int, str, str, bool]  # community, bucket, order, floating


def sex_counts(
    events: QuerySet[LifeEvent],
    *,
    start: dt.date,
    end: dt.date,
    bucket: str = "",
    communities: Sequence[int] | None = None,
    by_residence: bool = True,
) -> dict[Key, list[int]]:
    """[boys, girls] per community × bucket ("": the whole span; "quarter": ``2026Q2``;
    "month": ``2026-05``) × birth order × floating (False for all when not ``by_residence``),
    from one grouped query."""
    births = _births(events, start, end)
    if communities is not None:
        births = births.filter(community_id__in=communities)
    residence: Any = "person__is_floating" if by_residence else Value(False)
    columns: list[Any] = ["community_id", "person__sex", _order_bucket(), residence]
    if bucket == "quarter":
        columns += [_Year("date"), _Quarter("date")]
    elif bucket == "month":
        columns += [_Year("date"), _Month("date")]
    rows = births.values_list(*columns).annotate(n=Count("id")).order_by()
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        community, sex, order, floating = row[:4]
        if bucket == "quarter":
            key = f"{int(row[4])}Q{int(row[5])}"  # int(): PostgreSQL's EXTRACT is numeric
        elif bucket == "month":
            key = f"{int(row[4]):04d}-{int(row[5]):02d}"
        else:
            key = ""
        cell = counts[(community, key, order_key(order), bool(floating))]
        cell[0 if sex == Sex.MALE else 1] += row[-1]
    return dict(counts)


def srb_grid(
    events: QuerySet[LifeEvent],
    *,
    communities: Sequence[int],
    start: dt.date,
    end: dt.date,
    minimum: int | None = None,
) -> dict[tuple[int, str, str], SexRatio]:
    """Every community × quarter × birth order with births: its figure (the benchmark's grid)."""
    merged: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (community, quarter, order, _floating), (boys, girls) in sex_counts(
        events,
        start=start,
        end=end,
        bucket="quarter",
        communities=communities,
        by_residence=False,
    ).items():
        cell = merged[(community, quarter, order)]
        cell[0] += boys
        cell[1] += girls
    floor = minimum_births() if minimum is None else minimum
    return {key: SexRatio(b, g, floor) for key, (b, g) in merged.items()}


@dataclass(frozen=True)
class SrbRow:
    """One unit's figure for the chosen period, order and residence."""

    unit: OrgUnit
    figure: SexRatio

    @property
    def alert(self) -> bool:
        return self.figure.verdict == Verdict.HIGH


def units_at(user: User, level: str) -> list[OrgUnit]:
    """The user's units at ``level`` (community, street or district), in tree order."""
    return list(
        OrgUnit.objects.filter(pk__in=user.scope_unit_ids(), kind__in=_LEVEL_KINDS[level]).order_by(
            "path"
        )
    )


def _communities_of(units: Iterable[OrgUnit]) -> dict[int, int]:
    """Community id → the id of the unit (one of ``units``) it lies in."""
    units = list(units)
    if not units:
        return {}
    inside = Q()
    for unit in units:
        inside |= Q(path__startswith=unit.path)
    owner: dict[int, int] = {}
    by_path = sorted(units, key=lambda u: len(u.path), reverse=True)
    for pk, path in OrgUnit.objects.filter(inside, kind__in=COMMUNITY_KINDS).values_list(
        "id", "path"
    ):
        owner[pk] = next(u.pk for u in by_path if path.startswith(u.path))
    return owner


def _matches(key: Key, order: str, residence: str) -> bool:
    if order and key[2] != order:
        return False
    return not residence or key[3] == (residence == "floating")


def srb_rows(
    user: User,
    *,
    level: str,
    period: SrbPeriod,
    order: str = "",
    residence: str = "",
    units: Sequence[OrgUnit] | None = None,
) -> list[SrbRow]:
    """The figure of each of the user's units at ``level`` (all births counted, whatever duty
    guards them: only counts leave this function)."""
    require_srb(user)
    units = units_at(user, level) if units is None else list(units)
    owner = _communities_of(units)
    totals: dict[int, list[int]] = {unit.pk: [0, 0] for unit in units}
    counts = sex_counts(
        LifeEvent.objects.counted_for(user),
        start=period.start,
        end=period.end,
        communities=list(owner),
    )
    for key, (boys, girls) in counts.items():
        if key[0] in owner and _matches(key, order, residence):
            total = totals[owner[key[0]]]
            total[0] += boys
            total[1] += girls
    floor = minimum_births()
    return [SrbRow(unit, SexRatio(totals[unit.pk][0], totals[unit.pk][1], floor)) for unit in units]


def srb_trend(
    user: User,
    *,
    units: Sequence[OrgUnit],
    periods: Sequence[SrbPeriod],
    order: str = "",
    residence: str = "",
) -> dict[int, list[SexRatio]]:
    """Each unit's figure over ``periods`` (oldest first): the trend chart's lines."""
    require_srb(user)
    owner = _communities_of(units)
    floor = minimum_births()
    trend: dict[int, list[SexRatio]] = {unit.pk: [] for unit in units}
    events = LifeEvent.objects.counted_for(user)
    for period in periods:
        totals: dict[int, list[int]] = {unit.pk: [0, 0] for unit in units}
        for key, (boys, girls) in sex_counts(
            events, start=period.start, end=period.end, communities=list(owner)
        ).items():
            if key[0] in owner and _matches(key, order, residence):
                totals[owner[key[0]]][0] += boys
                totals[owner[key[0]]][1] += girls
        for unit in units:
            trend[unit.pk].append(SexRatio(totals[unit.pk][0], totals[unit.pk][1], floor))
    return trend


def cell_births(
    *,
    actor: Actor,
    unit: OrgUnit,
    period: SrbPeriod,
    order: str = "",
    residence: str = "",
) -> QuerySet[LifeEvent]:
    """The births behind one cell that the user may read (names masked by the page); the
    opening of the list is audited."""
    require_any(actor.user, Capability.VIEW_PERSONAL)
    communities = list(_communities_of([unit]))
    births = _births(LifeEvent.objects.visible_to(actor.user), period.start, period.end).filter(
        community_id__in=communities
    )
    if order == "1":
        births = births.filter(Q(data__birth_order__isnull=True) | Q(data__birth_order__lte=1))
    elif order == "2":
        births = births.filter(data__birth_order=2)
    elif order == "3":
        births = births.filter(data__birth_order__gte=3)
    if residence:
        births = births.filter(person__is_floating=residence == "floating")
    audit.record(
        action=Action.VIEW,
        actor=actor,
        object_type="governance.srb_cell",
        object_id=unit.pk,
        detail={"period": period.key, "order": order, "residence": residence},
    )
    return births.select_related("person", "other_person", "community").order_by("date", "pk")
