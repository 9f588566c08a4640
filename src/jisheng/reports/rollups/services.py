"""Filling the rollups: a full rebuild (chunked, with progress), the worker's incremental
refresh of the units that changed, and the check against direct counts."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jisheng.benefits.models import Payment
from jisheng.contraceptives.models import RosterEntry, StockMove
from jisheng.core.models import OrgUnit
from jisheng.migrants.models import MigrantRecord
from jisheng.prepregnancy.models import Checkup, TargetCouple
from jisheng.registry.models import Household, LifeEvent, Person
from jisheng.reports.rollups.measures import MEASURES, Cell
from jisheng.reports.rollups.models import RollupCell, RollupState

logger = logging.getLogger(__name__)

STATE_KEY = "rollups"
CHUNK_UNITS = 20
# Rows whose ids were handed out before a later id but committed after it are read again:
# the refresh starts this many ids below where it stopped (re-reading costs only a recount).
ID_LOOKBACK = 1000
# Changes found by time (no new row) are read from this long before the last refresh.
TIME_LOOKBACK = dt.timedelta(minutes=10)
# The worker rebuilds everything once a day, whatever the cursors missed (edits by hand).
FULL_REBUILD_EVERY = dt.timedelta(days=1)
# The PostgreSQL advisory lock of rollup writers (any constant unique to this use).
ADVISORY_LOCK = 0x6A697368656E67

Units = dict[str, set[int]]
"""Touched unit ids by measure."""


@dataclass(frozen=True)
class Source:
    """Rows of one table that change figures: new ones by id (``cursor``), and the units and
    measures they touch."""

    cursor: str
    max_id: Callable[[], int]
    touched: Callable[[int, dt.datetime], Iterable[tuple[str, int]]]


def _max_id(
    model: type[
        LifeEvent | Person | Household | Checkup | StockMove | RosterEntry | Payment | MigrantRecord
    ],
) -> int:
    return int(model.objects.aggregate(m=Max("pk"))["m"] or 0)


def _event_units(after: int, _since: dt.datetime) -> Iterable[tuple[str, int]]:
    events = LifeEvent.objects.filter(pk__gt=after).values_list(
        "community_id", "reverses__community_id", "before"
    )
    for community, reversed_in, before in events.iterator(chunk_size=2000):
        units = {community, reversed_in}
        # A move changes the community: the one it left loses the person.
        for old in (before or {}).get("persons", {}).values():
            units.add(old.get("community_id"))
        for unit in units - {None}:
            for measure in (
                "persons",
                "households",
                "births",
                "deaths",
                "moves",
                "flows",
                "couples",
            ):
                yield measure, unit


def _person_units(after: int, _since: dt.datetime) -> Iterable[tuple[str, int]]:
    # Residents loaded without an event (imports, the demo).
    for unit in (
        Person.objects.filter(pk__gt=after).values_list("community_id", flat=True).distinct()
    ):
        yield "persons", unit


def _household_units(after: int, _since: dt.datetime) -> Iterable[tuple[str, int]]:
    for unit in (
        Household.objects.filter(pk__gt=after).values_list("community_id", flat=True).distinct()
    ):
        yield "households", unit


def _couple_units(after: int, since: dt.datetime) -> Iterable[tuple[str, int]]:
    changed = TargetCouple.objects.filter(updated_at__gte=since).values_list("community_id")
    checked = Checkup.objects.filter(pk__gt=after).values_list("couple__community_id")
    for unit in {*changed.order_by().distinct(), *checked.order_by().distinct()}:
        yield "couples", unit[0]
        yield "checks", unit[0]


def _stock_units(after: int, _since: dt.datetime) -> Iterable[tuple[str, int]]:
    for unit in (
        StockMove.objects.filter(pk__gt=after)
        .values_list("point__org_unit_id", flat=True)
        .distinct()
    ):
        yield "issues", unit
        yield "stock", unit


def _roster_units(after: int, _since: dt.datetime) -> Iterable[tuple[str, int]]:
    # New entries only: a stop or an undone entry changes no id and waits for the daily rebuild.
    for unit in (
        RosterEntry.objects.filter(pk__gt=after)
        .values_list("person__community_id", flat=True)
        .distinct()
    ):
        yield "roster", unit


def _payment_units(after: int, since: dt.datetime) -> Iterable[tuple[str, int]]:
    # A line is paid when settled, long after it was created: found by its settling time.
    new = Payment.objects.filter(pk__gt=after).values_list("community_id")
    settled = Payment.objects.filter(settled_at__gte=since).values_list("community_id")
    for unit in {*new.order_by().distinct(), *settled.order_by().distinct()}:
        yield "payouts", unit[0]


def _migrant_units(after: int, since: dt.datetime) -> Iterable[tuple[str, int]]:
    # A record is counted from the day it is opened; later changes (an end, a visit) keep its
    # month and kind, but are read by time so that a correction by a service is caught too.
    new = MigrantRecord.objects.filter(pk__gt=after).values_list("community_id")
    changed = MigrantRecord.objects.filter(updated_at__gte=since).values_list("community_id")
    for unit in {*new.order_by().distinct(), *changed.order_by().distinct()}:
        yield "migrants", unit[0]


SOURCES = (
    Source("event", lambda: _max_id(LifeEvent), _event_units),
    Source("person", lambda: _max_id(Person), _person_units),
    Source("household", lambda: _max_id(Household), _household_units),
    Source("checkup", lambda: _max_id(Checkup), _couple_units),
    Source("stock_move", lambda: _max_id(StockMove), _stock_units),
    Source("roster", lambda: _max_id(RosterEntry), _roster_units),
    Source("payment", lambda: _max_id(Payment), _payment_units),
    Source("migrant_record", lambda: _max_id(MigrantRecord), _migrant_units),
)


def _cells_of(cells: Iterable[Cell], measure: str) -> list[RollupCell]:
    return [
        RollupCell(
            measure=measure,
            unit_id=unit,
            period=period,
            d1=d1,
            d2=d2,
            d3=d3,
            d4=d4,
            count=count,
            amount=amount,
        )
        for unit, period, d1, d2, d3, d4, count, amount in cells
    ]


def _recount(measure: str, unit_ids: Sequence[int]) -> int:
    """Replace the measure's cells of these units by a fresh count; returns cells written."""
    with transaction.atomic():
        # Counted under the lock: a writer that counted earlier cannot overwrite newer figures.
        _serialize_writers()
        fresh = _cells_of(MEASURES[measure].cells(unit_ids), measure)
        RollupCell.objects.filter(measure=measure, unit_id__in=unit_ids).delete()
        RollupCell.objects.bulk_create(fresh, batch_size=1000)
    return len(fresh)


def _serialize_writers() -> None:
    """One writer of rollups at a time (the worker's refresh, a rebuild by command): on
    PostgreSQL two could both delete a unit's cells and then both insert them. SQLite already
    lets one transaction write at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def _chunks(ids: Sequence[int], size: int = CHUNK_UNITS) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def _cursors() -> dict[str, int]:
    return {source.cursor: source.max_id() for source in SOURCES}


def rollups_rebuild(*, on_progress: Callable[[int, int], None] | None = None) -> int:
    """Recount every measure of every unit, a chunk of units at a time (each chunk replaced in
    one transaction, so readers see old or new figures, never none); returns cells written."""
    started = timezone.now()
    cursors = _cursors()
    unit_ids = list(OrgUnit.objects.order_by("path").values_list("pk", flat=True))
    steps = [(measure, chunk) for measure in MEASURES for chunk in _chunks(unit_ids)]
    written = 0
    for done, (measure, chunk) in enumerate(steps, start=1):
        written += _recount(measure, chunk)
        if on_progress is not None:
            on_progress(done, len(steps))
    RollupState.objects.update_or_create(
        key=STATE_KEY, defaults={"as_of": started, "rebuilt_at": started, "cursors": cursors}
    )
    return written


def rollups_refresh() -> Units:
    """Recount only the units whose records changed since the last refresh (by the sources'
    cursors); the first call, or one a day after the last rebuild, rebuilds everything.
    Returns the units recounted, by measure."""
    state = RollupState.objects.filter(key=STATE_KEY).first()
    now = timezone.now()
    if state is None or now - state.rebuilt_at > FULL_REBUILD_EVERY:
        rollups_rebuild()
        return {}
    cursors = _cursors()
    since = state.as_of - TIME_LOOKBACK
    touched: Units = defaultdict(set)
    for source in SOURCES:
        after = max(0, int(state.cursors.get(source.cursor, 0)) - ID_LOOKBACK)
        for measure, unit in source.touched(after, since):
            touched[measure].add(unit)
    for measure, units in touched.items():
        for chunk in _chunks(sorted(units)):
            _recount(measure, chunk)
    RollupState.objects.filter(pk=state.pk).update(as_of=now, cursors=cursors)
    return dict(touched)


def maintain() -> None:
    """The worker's job (``ReportsConfig.maintenance``): keep the rollups current."""
    touched = rollups_refresh()
    if touched:
        logger.info("rollups: recounted %s", {m: len(u) for m, u in touched.items()})


@dataclass(frozen=True)
class Difference:
    measure: str
    cell: tuple[int, str, str, str, str, str]
    stored: tuple[int, Decimal]
    counted: tuple[int, Decimal]


def rollups_check(measures: Iterable[str] | None = None) -> list[Difference]:
    """Every cell whose stored figure differs from a direct count of the records now."""
    differences: list[Difference] = []
    for measure in measures or MEASURES:
        counted = {
            c[:6]: (c[6], Decimal(c[7])) for c in MEASURES[measure].cells(None) if c[6] or c[7]
        }
        stored = {
            (u, p, d1, d2, d3, d4): (n, Decimal(a))
            for u, p, d1, d2, d3, d4, n, a in RollupCell.objects.filter(
                measure=measure
            ).values_list("unit_id", "period", "d1", "d2", "d3", "d4", "count", "amount")
            if n or a
        }
        for key in sorted(counted.keys() | stored.keys()):
            zero = (0, Decimal(0))
            if counted.get(key, zero) != stored.get(key, zero):
                differences.append(
                    Difference(measure, key, stored.get(key, zero), counted.get(key, zero))
                )
    return differences
