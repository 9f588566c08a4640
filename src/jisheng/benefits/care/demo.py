"""Demo visits and certifications: Spring Festival visits for two years and 中考 certificates.

Called by ``benefits.demo`` once the demo residents exist. Bulk inserts: well under a second
for 20,000 residents. Does nothing when the street already has visits.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from jisheng.accounts.models import User
from jisheng.benefits.care.numbers import certification_number_new
from jisheng.benefits.models import Certification, Program, Visit
from jisheng.core.models import OrgUnit
from jisheng.registry.models import Household, Person, ResidentStatus

_GIFTS = (
    ("慰问金", Decimal("500.00")),
    ("慰问金及米、面、油", Decimal("800.00")),
    ("米、面、油、被褥", Decimal("300.00")),
    ("慰问金", Decimal("1000.00")),
)
_VISITORS = ("街道 分管领导、计生办主任", "街道计生办 王主任、社区 专干", "社区书记、计生专干")


def care_demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    communities = list(OrgUnit.objects.filter(parent=street))
    if not communities or Visit.objects.filter(community__in=communities).exists():
        return
    staff = User.objects.filter(org_unit=street, is_active=True).order_by("pk").first()
    if staff is None:
        return
    relief = Program.objects.get(code="hardship-visits")
    households = list(
        Household.objects.filter(community__in=communities, head__status=ResidentStatus.LIVING)
        .exclude(head__isnull=True)
        .values_list("pk", "head_id", "community_id")
    )
    # 春节走访慰问: about one household in 150, two Spring Festivals, most visited both years.
    chosen = rng.sample(households, min(len(households), max(8, len(households) // 150)))
    visits = []
    for year in (today.year - 1, today.year):
        festival = dt.date(year, 1, 20)
        if festival > today:
            continue
        for household_id, head_id, community_id in chosen:
            if rng.random() < 0.15:
                continue
            given, cost = rng.choice(_GIFTS)
            visits.append(
                Visit(
                    program=relief,
                    community_id=community_id,
                    person_id=head_id,
                    household_id=household_id,
                    date=festival + dt.timedelta(days=rng.randrange(0, 10)),
                    visitors=rng.choice(_VISITORS),
                    given=given,
                    cost=cost,
                    note="春节走访慰问困难计生家庭",
                    recorded_by=staff,
                )
            )
    Visit.objects.bulk_create(visits, batch_size=2000)

    # 升学加分核实: certificates for pupils finishing junior school (about 15) this year.
    school = Program.objects.get(code="school-bonus-check")
    born_from, born_to = dt.date(today.year - 16, 9, 1), dt.date(today.year - 15, 8, 31)
    pupils = list(
        Person.objects.filter(
            community__in=communities,
            status=ResidentStatus.LIVING,
            birth_date__range=(born_from, born_to),
        ).values_list("pk", "community_id")[:200]
    )
    issued_on = min(today, dt.date(today.year, 5, 20))
    numbers: set[str] = set()
    certifications = []
    for person_id, community_id in rng.sample(pupils, min(len(pupils), 40)):
        number = certification_number_new(issued_on.year)
        while number in numbers:
            number = certification_number_new(issued_on.year)
        numbers.add(number)
        certifications.append(
            Certification(
                program=school,
                person_id=person_id,
                community_id=community_id,
                number=number,
                purpose=f"{issued_on.year}年中考升学加分",
                details="经核实，该生为计划生育家庭子女，符合当地升学加分政策。",
                issued_on=issued_on,
                issued_by=staff,
            )
        )
    Certification.objects.bulk_create(certifications, batch_size=2000)
