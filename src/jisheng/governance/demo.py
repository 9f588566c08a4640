"""Demo sex-ratio figures: the registry's birth events for the street's recent children, and
one community (the second) whose third-order births are clearly high (about 2 boys a girl),
recorded through the registry's own birth service (so its rules hold: one birth per mother of
two, spaced from her other children) for the monitor to flag."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Max, Q

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.governance import demo_supervision
from jisheng.governance.selectors.srb import COMMUNITY_KINDS
from jisheng.governance.srb import minimum_births
from jisheng.registry.birth_spacing import MIN_DAYS_BETWEEN_BIRTHS
from jisheng.registry.models import LifeEvent, ParentLink, Person, ResidentStatus, Sex
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData

# Children born this many days back get their birth event (the monitor's rolling years).
RECENT_DAYS = 5 * 365
HIGH_BIRTHS = 150
HIGH_BOYS_SHARE = 0.68
GIVEN = ("子轩", "浩然", "梓涵", "欣怡", "宇航", "诗琪", "俊杰", "雨桐", "家豪", "佳怡")


def _recent_birth_events(communities: list[OrgUnit], today: dt.date, registrar: User) -> int:
    """One birth event per child born lately to a mother here, order by the mother's children."""
    since = today - dt.timedelta(days=RECENT_DAYS)
    links = ParentLink.objects.filter(
        parent__sex=Sex.FEMALE,
        child__community__in=communities,
        child__birth_date__gte=since,
    ).exclude(child__status=ResidentStatus.VOIDED)
    mothers = set(links.values_list("parent_id", flat=True))
    children: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for mother, child, born in ParentLink.objects.filter(parent_id__in=mothers).values_list(
        "parent_id", "child_id", "child__birth_date"
    ):
        children[mother].append((born, child))
    people = Person.objects.in_bulk(list(links.values_list("child_id", flat=True)), field_name="pk")
    rows = []
    for mother, born_children in children.items():
        for order, (born, child) in enumerate(sorted(born_children), start=1):
            person = people.get(child)
            if person is None or born < since:
                continue
            rows.append(
                LifeEvent(
                    kind=LifeEvent.Kind.BIRTH,
                    person_id=child,
                    other_person_id=mother,
                    community_id=person.community_id,
                    date=born,
                    data={"birth_order": order, "sex": person.sex, "mother_id": mother},
                    recorded_by=registrar,
                )
            )
    LifeEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _high_third_births(
    community: OrgUnit, today: dt.date, rng: random.Random, registrar: User
) -> int:
    """One birth in the last year to each of up to HIGH_BIRTHS mothers, mothers of two first
    (third births), then, where the monitor can then judge, mothers of one; two boys to each
    girl or so."""
    latest = today - dt.timedelta(days=3)
    earliest = today - dt.timedelta(days=330)
    born = ~Q(child_links__child__status=ResidentStatus.VOIDED)  # a voided record is no child
    candidates = (
        Person.objects.filter(
            community=community,
            sex=Sex.FEMALE,
            status=ResidentStatus.LIVING,
            birth_date__gte=today - dt.timedelta(days=45 * 365),
            birth_date__lte=today - dt.timedelta(days=20 * 365),
        )
        .annotate(
            children=Count("child_links", filter=born),
            youngest=Max("child_links__child__birth_date", filter=born),
        )
        # The registry refuses a birth within MIN_DAYS_BETWEEN_BIRTHS of a sibling's.
        .filter(
            children__gte=1,
            youngest__lte=latest - dt.timedelta(days=MIN_DAYS_BETWEEN_BIRTHS),
        )
        .order_by("-children", "pk")
        .values_list("pk", "youngest", "children")[:HIGH_BIRTHS]
    )
    # Mothers of two first (third births). Mothers of one fill the year up to HIGH_BIRTHS
    # where that gives the monitor the births it needs to judge (a community of the default
    # demo's size); a small demo keeps its residents as seeded.
    found = list(candidates)
    if len(found) < minimum_births():
        found = [row for row in found if row[2] >= 2]
    youngest: dict[int, dt.date] = {pk: day for pk, day, _children in found}
    mothers = Person.objects.in_bulk(list(youngest))
    actor = Actor(user=registrar)
    for pk, mother in sorted(mothers.items()):
        start = max(earliest, youngest[pk] + dt.timedelta(days=MIN_DAYS_BETWEEN_BIRTHS))
        sex = Sex.MALE if rng.random() < HIGH_BOYS_SHARE else Sex.FEMALE
        events.birth_record(
            actor=actor,
            mother=mother,
            child=PersonData(
                name=mother.name[0] + rng.choice(GIVEN),
                sex=sex,
                birth_date=start + dt.timedelta(days=rng.randint(0, (latest - start).days)),
            ),
        )
    return len(mothers)


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """The monitoring demo (births, the high third-order community), then the supervision
    and case demo (groups, devices, dispensings, clues)."""
    _monitoring_seed(street=street, today=today, rng=rng)
    demo_supervision.demo_seed(street=street, today=today, rng=rng)


def _monitoring_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """Seed once: a street whose communities already have birth events is left alone."""
    communities = list(
        OrgUnit.objects.filter(parent=street, kind__in=COMMUNITY_KINDS).order_by("code")
    )
    registrar = User.objects.filter(username="demo_street").first()
    if len(communities) < 2 or registrar is None:
        return
    if LifeEvent.objects.filter(kind=LifeEvent.Kind.BIRTH, community__in=communities).exists():
        return
    with transaction.atomic():
        _recent_birth_events(communities, today, registrar)
        _high_third_births(communities[1], today, rng, registrar)
