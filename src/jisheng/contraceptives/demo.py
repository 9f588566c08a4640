"""Demo contraceptive supply for the demo street: the catalogue, eleven points (the store,
eight community points, two machines), a year of ledger moves, a roster drawn from the demo
residents, follow-ups, consultations, leaflets and low-stock levels.

The year is simulated in memory in date order — first-expiry-first-out, nothing issued that
is not held — and written with bulk inserts, so the ledger is consistent (balances equal the
sum of moves, never negative) and the whole seeding takes seconds for 20,000 residents.
It bypasses the services (no audit rows: nobody did these things); called again on a street
that already has points, it does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import count

from django.db import transaction
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.contraceptives.models import (
    Consultation,
    ConsultationTopic,
    DistributionPoint,
    Lot,
    MaterialHandout,
    Method,
    MoveKind,
    MoveReason,
    PointKind,
    Product,
    ProductCategory,
    RosterEntry,
    RosterFollowUp,
    Satisfaction,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    StockThreshold,
    StockTransfer,
    StopReason,
)
from jisheng.contraceptives.models.catalogue import SENSE_CHECKS
from jisheng.contraceptives.services.balances import issue_months_rebuild
from jisheng.core.dates import add_months
from jisheng.core.models import OrgUnit
from jisheng.registry.models import MaritalStatus, Person, ResidentStatus, Sex

BATCH = 1000

# name, category, unit, pack size, units handed to a user at a time
CATALOGUE = (
    ("复方左炔诺孕酮片", ProductCategory.ORAL, "板", 22, 3),
    ("去氧孕烯炔雌醇片", ProductCategory.ORAL, "盒", 21, 3),
    ("天然胶乳橡胶避孕套（中号）", ProductCategory.CONDOM, "盒", 10, 2),
    ("天然胶乳橡胶避孕套（大号）", ProductCategory.CONDOM, "盒", 10, 2),
    ("壬苯醇醚栓", ProductCategory.EXTERNAL, "盒", 10, 1),
    ("左炔诺孕酮片（紧急避孕）", ProductCategory.EMERGENCY, "盒", 1, 1),
    ("宫内节育器（TCu380A）", ProductCategory.IUD, "个", 1, 1),
    ("左炔诺孕酮硅胶棒", ProductCategory.IMPLANT, "套", 1, 1),
)
# Methods of married women 20–49 on the roster, with weights (IUD leads in Shandong).
# A husband's vasectomy is his own roster entry; the demo enrols wives only.
METHOD_WEIGHTS = (
    (Method.IUD, 44),
    (Method.CONDOM, 24),
    (Method.ORAL, 9),
    (Method.FEMALE_STERILIZATION, 9),
    (Method.IMPLANT, 5),
    (Method.EXTERNAL, 3),
    (Method.INJECTION, 2),
    (Method.OTHER, 2),
)
ROSTER_SHARE = 0.42
MATERIALS = (
    "避孕节育知识手册",
    "新婚保健宣传折页",
    "紧急避孕须知",
    "生殖健康宣传单",
    "优生优育宣传册",
)


@dataclass
class _Ledger:
    """The year in memory: moves in date order and the balances they leave."""

    moves: list[StockMove] = field(default_factory=list)
    held: dict[tuple[int, int], int] = field(default_factory=dict)
    transfers: list[StockTransfer] = field(default_factory=list)
    transfer_legs: list[tuple[int, StockMove]] = field(default_factory=list)
    # Units a month each point hands out of each product, for its low-stock levels.
    monthly: dict[tuple[int, int], int] = field(default_factory=dict)

    def add(self, move: StockMove) -> None:
        key = (move.point_id, move.lot_id)
        self.held[key] = self.held.get(key, 0) + move.quantity
        self.moves.append(move)

    def on_hand(self, point: DistributionPoint, lot: Lot) -> int:
        return self.held.get((point.pk, lot.pk), 0)

    def usable(self, point: DistributionPoint, lots: list[Lot], on: dt.date) -> list[Lot]:
        """Lots held at the point on day ``on``, first to expire first."""
        return [lot for lot in lots if lot.expiry_date >= on and self.on_hand(point, lot) > 0]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def _products() -> list[Product]:
    products = []
    for name, category, unit, pack, _dose in CATALOGUE:
        product, _created = Product.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "unit": unit,
                "pack_size": pack,
                "for_sex": SENSE_CHECKS[category][0],
                "min_age": SENSE_CHECKS[category][1],
            },
        )
        products.append(product)
    return products


def _points(
    street: OrgUnit, communities: list[OrgUnit], users: dict[str, User]
) -> list[DistributionPoint]:
    keepers = {user.org_unit_id: user for user in users.values() if user.username != "demo_street"}
    points = [
        DistributionPoint(
            name=f"{street.name}药具库",
            kind=PointKind.STORE,
            org_unit=street,
            address=f"{street.name}办事处计生办一楼",
            keeper=users.get("demo_street"),
        )
    ]
    points += [
        DistributionPoint(
            name=f"{unit.name}免费药具发放点",
            kind=PointKind.COMMUNITY,
            org_unit=unit,
            address=f"{unit.name}党群服务中心",
            keeper=keepers.get(unit.pk),
        )
        for unit in communities[:8]
    ]
    points += [
        DistributionPoint(
            name=f"{unit.name}药具自助发放机",
            kind=PointKind.MACHINE,
            org_unit=unit,
            address=f"{unit.name}卫生室门口",
            keeper=keepers.get(unit.pk),
        )
        for unit in (communities[0], communities[4])
    ]
    return DistributionPoint.objects.bulk_create(points)


def _lots(products: list[Product], today: dt.date) -> dict[int, list[Lot]]:
    """Four lots a product: one expired last month, one expiring in four months, two fresh."""
    expiries = (-30, 120, 700, 900)
    lots = [
        Lot(
            product=product,
            number=f"{today.year - 1}{product.pk:02d}{index + 1:02d}",
            expiry_date=today + dt.timedelta(days=days),
        )
        for product in products
        for index, days in enumerate(expiries)
    ]
    Lot.objects.bulk_create(lots)
    by_product: dict[int, list[Lot]] = defaultdict(list)
    for lot in lots:
        by_product[lot.product_id].append(lot)
    return by_product


def _roster(
    communities: list[OrgUnit],
    points: dict[int, DistributionPoint],
    today: dt.date,
    rng: random.Random,
    enrolled_by: User | None,
) -> list[RosterEntry]:
    women = list(
        Person.objects.filter(
            community__in=communities,
            status=ResidentStatus.LIVING,
            sex=Sex.FEMALE,
            marital_status=MaritalStatus.MARRIED,
            birth_date__gt=add_months(today, -50 * 12),
            birth_date__lte=add_months(today, -20 * 12),
        )
        .order_by("pk")
        .values_list("pk", "community_id", "name")
    )
    methods = [m for m, _w in METHOD_WEIGHTS]
    weights = [w for _m, w in METHOD_WEIGHTS]
    entries = []
    for person_id, community_id, name in women:
        if rng.random() > ROSTER_SHARE:
            continue
        method = rng.choices(methods, weights)[0]
        start = today - dt.timedelta(days=rng.randint(20, 3650))
        entries.append(
            RosterEntry(
                person_id=person_id,
                community_id=community_id,
                person_name=name,
                method=method,
                start_date=start,
                point=points.get(community_id),
                enrolled_by=enrolled_by,
                created_at=_at(start, 9),
                notes="无禁忌证" if rng.random() < 0.1 else None,
            )
        )
    # A few stopped and switched, as real rosters show.
    for entry in rng.sample(entries, k=len(entries) // 25):
        entry.stop_date = min(today, entry.start_date + dt.timedelta(days=rng.randint(30, 900)))
        entry.stop_reason = rng.choice(
            [StopReason.WANTS_PREGNANCY, StopReason.SIDE_EFFECTS, StopReason.NO_LONGER_NEEDED]
        )
    return RosterEntry.objects.bulk_create(entries, batch_size=BATCH)


def _simulate(
    *,
    today: dt.date,
    rng: random.Random,
    store: DistributionPoint,
    points: list[DistributionPoint],
    machines: list[DistributionPoint],
    products: list[Product],
    lots: dict[int, list[Lot]],
    entries: list[RosterEntry],
    keeper_of: dict[int, User | None],
) -> _Ledger:
    ledger = _Ledger()
    dose = {p.pk: CATALOGUE[i][4] for i, p in enumerate(products)}
    by_category: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        by_category[product.category].append(product)
    start = add_months(today, -12).replace(day=1)
    numbers = count(1)

    def move(
        point: DistributionPoint,
        lot: Lot,
        kind: str,
        quantity: int,
        day: dt.date,
        reason: str,
        **extra: object,
    ) -> StockMove:
        made = StockMove(
            point=point,
            lot=lot,
            kind=kind,
            quantity=quantity,
            reason=reason,
            occurred_on=day,
            recorded_at=_at(day, 10),
            recorded_by=keeper_of.get(point.pk),
            **extra,
        )
        ledger.add(made)
        return made

    def take(
        point: DistributionPoint, product: Product, wanted: int, day: dt.date
    ) -> list[tuple[Lot, int]]:
        taken = []
        for lot in ledger.usable(point, lots[product.pk], day):
            if wanted <= 0:
                break
            n = min(wanted, ledger.on_hand(point, lot))
            taken.append((lot, n))
            wanted -= n
        return taken

    # Who is supplied, where, how often: consumable methods get regular issues.
    consumers = [
        e
        for e in entries
        if e.method in (Method.ORAL, Method.CONDOM, Method.EXTERNAL) and e.point is not None
    ]
    demand: dict[tuple[int, int], int] = defaultdict(int)
    plan: dict[dt.date, list[tuple[RosterEntry, Product]]] = defaultdict(list)
    for entry in consumers:
        product = rng.choice(by_category[entry.method])
        every = rng.choice((30, 30, 60, 90))
        day = max(entry.start_date, start) + dt.timedelta(days=rng.randint(0, every - 1))
        end = entry.stop_date or today
        while day <= end:
            plan[day].append((entry, product))
            demand[(entry.point.pk, product.pk)] += dose[product.pk]  # type: ignore[union-attr]
            day += dt.timedelta(days=every)
    yearly = sum(demand.values()) + 600

    months = [add_months(start, i) for i in range(13)]
    receipts = {add_months(start, i): k for i, k in ((0, 0), (4, 1), (8, 2), (11, 3))}
    day = start
    while day <= today:
        if day in receipts:
            lot_index = receipts[day]
            for product in products:
                share = (
                    max(20, int(yearly * rng.uniform(0.04, 0.09)))
                    if product.category
                    in (ProductCategory.ORAL, ProductCategory.CONDOM, ProductCategory.EXTERNAL)
                    else rng.randint(20, 60)
                )
                move(
                    store,
                    lots[product.pk][lot_index],
                    MoveKind.RECEIPT,
                    share,
                    day,
                    MoveReason.DISTRICT_SUPPLY,
                    document_number=f"区配-{day:%Y%m}-{next(numbers):03d}",
                )
        if day in months:
            for point in [*points, *machines]:
                for product in products:
                    monthly = demand.get((point.pk, product.pk), 0) // 12
                    if point.kind == PointKind.MACHINE:
                        monthly = 30 if product.category == ProductCategory.CONDOM else 0
                    elif product.category == ProductCategory.EMERGENCY:
                        monthly = 4
                    ledger.monthly[(point.pk, product.pk)] = monthly
                    target = int(monthly * 1.5) + (5 if monthly else 0)
                    held = sum(ledger.on_hand(point, lot) for lot in lots[product.pk])
                    for lot, n in take(store, product, target - held, day):
                        transfer = StockTransfer(
                            source=store,
                            destination=point,
                            occurred_on=day,
                            document_number=f"调-{day:%Y%m}-{next(numbers):03d}",
                            recorded_by=keeper_of.get(store.pk),
                            recorded_at=_at(day, 9),
                        )
                        ledger.transfers.append(transfer)
                        reason = (
                            MoveReason.MACHINE_REFILL
                            if point.kind == PointKind.MACHINE
                            else MoveReason.REDISTRIBUTION
                        )
                        for leg_point, sign, kind in (
                            (store, -1, MoveKind.TRANSFER_OUT),
                            (point, 1, MoveKind.TRANSFER_IN),
                        ):
                            leg = move(
                                leg_point,
                                lot,
                                kind,
                                sign * n,
                                day,
                                reason,
                                document_number=transfer.document_number,
                            )
                            ledger.transfer_legs.append((len(ledger.transfers) - 1, leg))
            for machine in machines:
                for product in by_category[ProductCategory.CONDOM]:
                    for lot, n in take(machine, product, rng.randint(18, 30), day):
                        move(
                            machine,
                            lot,
                            MoveKind.ANONYMOUS_ISSUE,
                            -n,
                            day,
                            MoveReason.MACHINE_DISPENSED,
                        )
            for point in points:
                for product in by_category[ProductCategory.EMERGENCY]:
                    for lot, n in take(point, product, rng.randint(0, 3), day):
                        move(point, lot, MoveKind.ANONYMOUS_ISSUE, -n, day, MoveReason.OUTREACH)
        for product in products:  # the store writes off what expired, three days late
            for lot in lots[product.pk]:
                if lot.expiry_date + dt.timedelta(days=3) == day and ledger.on_hand(store, lot):
                    move(
                        store,
                        lot,
                        MoveKind.WRITE_OFF,
                        -ledger.on_hand(store, lot),
                        day,
                        MoveReason.EXPIRED,
                        document_number=f"报废-{day:%Y%m%d}",
                    )
        for entry, product in plan.get(day, []):
            assert entry.point is not None  # noqa: S101 - consumers have a point
            for lot, n in take(entry.point, product, dose[product.pk], day):
                move(
                    entry.point,
                    lot,
                    MoveKind.ISSUE,
                    -n,
                    day,
                    MoveReason.USER_SUPPLY,
                    person_id=entry.person_id,
                )
        day += dt.timedelta(days=1)
    # A damaged box or two.
    for point in rng.sample(points, k=2):
        product = rng.choice(by_category[ProductCategory.CONDOM])
        for lot, n in take(point, product, 1, today - dt.timedelta(days=10)):
            move(
                point,
                lot,
                MoveKind.LOSS,
                -n,
                today - dt.timedelta(days=10),
                MoveReason.DAMAGED,
                note="包装破损",
            )
    return ledger


def _outreach(
    points: list[DistributionPoint],
    today: dt.date,
    rng: random.Random,
    keeper_of: dict[int, User | None],
) -> None:
    start = add_months(today, -12)
    span = (today - start).days
    topics = list(ConsultationTopic.values)
    Consultation.objects.bulk_create(
        [
            Consultation(
                point=point,
                date=start + dt.timedelta(days=rng.randint(0, span)),
                topic=rng.choice(topics),
                people=rng.randint(1, 8),
                worker=keeper_of.get(point.pk),
            )
            for point in points
            for _n in range(rng.randint(8, 16))
        ],
        batch_size=BATCH,
    )
    MaterialHandout.objects.bulk_create(
        [
            MaterialHandout(
                point=point,
                date=start + dt.timedelta(days=rng.randint(0, span)),
                material=rng.choice(MATERIALS),
                quantity=rng.randint(20, 60),
                worker=keeper_of.get(point.pk),
            )
            for point in points
            for _n in range(rng.randint(4, 8))
        ],
        batch_size=BATCH,
    )


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """Seed the demo street's contraceptive supply once: a street that already has points
    (seeded before, or set up by hand) is left as it is, so a second call does nothing."""
    communities = list(
        OrgUnit.objects.filter(
            parent=street, kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE]
        ).order_by("code")
    )
    if len(communities) < 5:
        return
    if DistributionPoint.objects.filter(org_unit__in=[street, *communities]).exists():
        return
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["demo_street", "demo_c1", "demo_c2"])
    }
    with transaction.atomic():
        products = _products()
        every_point = _points(street, communities, users)
        store, community_points, machines = every_point[0], every_point[1:9], every_point[9:]
        keeper_of = {p.pk: p.keeper or users.get("demo_street") for p in every_point}
        lots = _lots(products, today)
        point_of_community = {p.org_unit_id: p for p in community_points}
        entries = _roster(communities, point_of_community, today, rng, users.get("demo_c1"))
        ledger = _simulate(
            today=today,
            rng=rng,
            store=store,
            points=community_points,
            machines=machines,
            products=products,
            lots=lots,
            entries=entries,
            keeper_of=keeper_of,
        )
        StockTransfer.objects.bulk_create(ledger.transfers, batch_size=BATCH)
        for index, leg in ledger.transfer_legs:
            leg.transfer = ledger.transfers[index]
        StockMove.objects.bulk_create(ledger.moves, batch_size=BATCH)
        StockBalance.objects.bulk_create(
            [
                StockBalance(point_id=point_id, lot_id=lot_id, quantity=quantity)
                for (point_id, lot_id), quantity in ledger.held.items()
            ],
            batch_size=BATCH,
        )
        issue_months_rebuild()  # the ledger was bulk-created, not through append_move
        _follow_ups(entries, today, rng, users.get("demo_c1"))
        _outreach(every_point, today, rng, keeper_of)
        _thresholds(every_point, products, ledger.monthly)
        _draft_count(store, lots, ledger, today, users.get("demo_street"))


def _follow_ups(
    entries: list[RosterEntry], today: dt.date, rng: random.Random, by: User | None
) -> None:
    satisfactions = [Satisfaction.SATISFIED] * 8 + [Satisfaction.NEUTRAL, Satisfaction.DISSATISFIED]
    follow_ups = []
    for entry in entries:
        if entry.stop_date is not None or rng.random() > 0.3:
            continue
        date = min(today, entry.start_date + dt.timedelta(days=rng.randint(30, 365)))
        satisfaction = rng.choice(satisfactions)
        follow_ups.append(
            RosterFollowUp(
                entry=entry,
                date=date,
                satisfaction=satisfaction,
                side_effects="轻微不适" if satisfaction == Satisfaction.DISSATISFIED else None,
                recorded_by=by,
                recorded_at=_at(date, 15),
            )
        )
    RosterFollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)


def _thresholds(
    points: list[DistributionPoint], products: list[Product], monthly: dict[tuple[int, int], int]
) -> None:
    """The store keeps a reserve of every product; the others about ten days' worth."""
    levels = []
    for point in points:
        for product in products:
            if point.kind == PointKind.STORE:
                levels.append(StockThreshold(point=point, product=product, minimum=40))
            elif monthly.get((point.pk, product.pk)):
                minimum = max(2, monthly[(point.pk, product.pk)] // 3)
                levels.append(StockThreshold(point=point, product=product, minimum=minimum))
    StockThreshold.objects.bulk_create(levels)


def _draft_count(
    store: DistributionPoint,
    lots: dict[int, list[Lot]],
    ledger: _Ledger,
    today: dt.date,
    by: User | None,
) -> None:
    """A count of the store begun this week, for the demo to finish."""
    count_ = StockCount.objects.create(point=store, count_date=today, created_by=by)
    StockCountLine.objects.bulk_create(
        [
            StockCountLine(count=count_, lot=lot)
            for product_lots in lots.values()
            for lot in product_lots
            if ledger.on_hand(store, lot) > 0
        ]
    )
