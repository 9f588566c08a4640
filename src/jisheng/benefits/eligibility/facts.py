"""Registry facts a rule may test, each as one SQL expression on ``registry.Person``.

A fact's expression is correlated on the person row (``OuterRef("pk")``), or for the
children facts an aggregate over the person's child links, and takes the date the rule is
evaluated on, so a batch can ask "eligible at the end of March?".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisheng.registry.models import (
    HukouType,
    LifeEvent,
    MaritalStatus,
    Marriage,
    NonResident,
    ResidentStatus,
    Sex,
)

# A SQL expression or condition; Django's stubs type Exists, Subquery, F and Q apart.
SQL = Any


class Kind(StrEnum):
    AGE_YEARS = "age_years"  # expression: a birth date; compared as an age in years
    AGE_MONTHS = "age_months"  # expression: a birth date; compared as an age in months
    NUMBER = "number"
    CHOICE = "choice"
    FLAG = "flag"  # a yes/no fact
    PREFIX = "prefix"  # text compared by its beginning (division codes)
    PROGRAM = "program"  # the value is a program code


@dataclass(frozen=True)
class Fact:
    key: str
    label: str | Promise
    kind: Kind
    # (as_of, value) -> SQL expression correlated on the person; value matters for PROGRAM only.
    expression: Callable[[dt.date, Any], Any]
    nullable: bool = False
    choices: tuple[tuple[str, str | Promise], ...] = field(default=())
    # The expression is an aggregate over the person's child links, so the person query
    # must be grouped (see ``rules.grouped_ids``). Rules share it by fact and day, so it
    # must not depend on the value tested.
    aggregate: bool = False
    # The value is read from the person's children: none on record, no value (or 0).
    about_children: bool = False


def _deceased_by(person_ref: str, as_of: dt.date) -> SQL:
    """The referenced person had died by ``as_of`` (a later-dated death event means not yet).

    A family member who is not a resident here (a child living elsewhere, or one who died
    before the registry began) has no death event: their date of death is on record instead.
    """
    later_death = LifeEvent.objects.filter(
        person=OuterRef(person_ref),
        kind=LifeEvent.Kind.DEATH,
        date__gt=as_of,
        reversed_by__isnull=True,
    )
    resident = Q(**{f"{person_ref}__status": ResidentStatus.DECEASED}) & ~Exists(later_death)
    elsewhere = Q(
        **{
            f"{person_ref}__status": ResidentStatus.NON_RESIDENT,
            f"{person_ref}__non_resident__death_date__lte": as_of,
        }
    )
    return resident | elsewhere


def _child_links(as_of: dt.date, **conditions: Any) -> Q:
    """The person's children born by ``as_of``, as a filter on the ``child_links`` join."""
    on_child = {f"child_links__child__{name}": value for name, value in conditions.items()}
    return Q(child_links__child__birth_date__lte=as_of, **on_child) & ~Q(
        child_links__child__status=ResidentStatus.VOIDED
    )


# Children facts are aggregates over one join of the person's child links: a rule testing
# several of them reads each person's children once (grouped), not once per fact.


def _children_count(as_of: dt.date, _value: Any) -> SQL:
    return Count("child_links", filter=_child_links(as_of))


def _living_children_count(as_of: dt.date, _value: Any, **conditions: Any) -> SQL:
    living = _child_links(as_of, **conditions) & ~_deceased_by("child_links__child", as_of)
    return Count("child_links", filter=living)


def _deceased_children_count(as_of: dt.date, _value: Any) -> SQL:
    deceased = _child_links(as_of) & _deceased_by("child_links__child", as_of)
    return Count("child_links", filter=deceased)


def _youngest_child_birth(as_of: dt.date, _value: Any) -> SQL:
    return Max("child_links__child__birth_date", filter=_child_links(as_of))


def _wife_birth(as_of: dt.date) -> SQL:
    current = (
        Marriage.objects.filter(husband=OuterRef("pk"), date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of))
        .order_by("-date")
        .values("wife__birth_date")[:1]
    )
    return Subquery(current)


def _mother_birth(as_of: dt.date, _value: Any) -> SQL:
    """A woman's own birth date; for a man, his wife's (特别扶助 counts the mother's age)."""
    return Case(When(sex=Sex.FEMALE, then=F("birth_date")), default=_wife_birth(as_of))


def _living_here(as_of: dt.date, _value: Any) -> SQL:
    left_later = LifeEvent.objects.filter(
        person=OuterRef("pk"),
        kind__in=[LifeEvent.Kind.DEATH, LifeEvent.Kind.MOVE_OUT],
        date__gt=as_of,
        reversed_by__isnull=True,
    )
    condition = Q(status=ResidentStatus.LIVING) | (
        Q(status__in=[ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED]) & Exists(left_later)
    )
    return ExpressionWrapper(condition, output_field=BooleanField())


def _married(as_of: dt.date, _value: Any) -> SQL:
    current = (
        Marriage.objects.filter(date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of))
        .filter(Q(husband=OuterRef("pk")) | Q(wife=OuterRef("pk")))
    )
    return Exists(current)


def _disability_grade(as_of: dt.date, _value: Any) -> SQL:
    from jisheng.benefits.models import DisabilityRecord

    grades = (
        DisabilityRecord.objects.filter(person=OuterRef("pk"), recorded_on__lte=as_of)
        .order_by()
        .values("person")
        .annotate(best=Min("grade"))
        .values("best")
    )
    return Subquery(grades)


def _child_disability_grade(as_of: dt.date, _value: Any) -> SQL:
    """The most severe grade of a child: a resident child's disability records, or the grade
    on record for a child who is not a resident here (the lower number wins)."""
    from jisheng.benefits.models import DisabilityRecord

    recorded = Subquery(
        DisabilityRecord.objects.filter(
            person__parent_links__parent=OuterRef("pk"), recorded_on__lte=as_of
        )
        .order_by()
        .values("person__parent_links__parent")
        .annotate(best=Min("grade"))
        .values("best")
    )
    elsewhere = Subquery(
        NonResident.objects.filter(
            person__parent_links__parent=OuterRef("pk"),
            person__status=ResidentStatus.NON_RESIDENT,
            person__birth_date__lte=as_of,
            disability_grade__isnull=False,
        )
        .order_by()
        .values("person__parent_links__parent")
        .annotate(best=Min("disability_grade"))
        .values("best")
    )
    # LEAST is NULL when either side is on SQLite, and skips NULLs on PostgreSQL: each side
    # falls back on the other, so both databases answer alike.
    return Least(Coalesce(recorded, elsewhere), Coalesce(elsewhere, recorded))


def _enrolled_in(as_of: dt.date, codes: Any) -> SQL:
    from jisheng.benefits.models import Entitlement

    active = Entitlement.objects.filter(
        person=OuterRef("pk"), program__code__in=_codes(codes), start_date__lte=as_of
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
    return Exists(active)


def _paid_by(as_of: dt.date, codes: Any) -> SQL:
    from jisheng.benefits.models import Payment

    paid = Payment.objects.filter(
        person=OuterRef("pk"),
        program__code__in=_codes(codes),
        kind=Payment.Kind.PAYMENT,
        status=Payment.Status.PAID,
    )
    return Exists(paid)


def _codes(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _field(name: str) -> Callable[[dt.date, Any], SQL]:
    return lambda _as_of, _value: F(name)


FACTS: dict[str, Fact] = {
    fact.key: fact
    for fact in (
        Fact("age", _("Age"), Kind.AGE_YEARS, _field("birth_date")),
        Fact("age_months", _("Age in months"), Kind.AGE_MONTHS, _field("birth_date")),
        Fact("sex", _("Sex"), Kind.CHOICE, _field("sex"), choices=tuple(Sex.choices)),
        Fact(
            "hukou_type",
            _("Hukou type"),
            Kind.CHOICE,
            _field("hukou_type"),
            choices=tuple(HukouType.choices),
        ),
        Fact("hukou_division", _("Registered residence"), Kind.PREFIX, _field("hukou_division")),
        Fact("living_here", _("Lives here"), Kind.FLAG, _living_here),
        Fact("floating", _("Floating resident"), Kind.FLAG, _field("is_floating")),
        Fact(
            "marital_status",
            _("Marital status"),
            Kind.CHOICE,
            _field("marital_status"),
            choices=tuple(MaritalStatus.choices),
        ),
        Fact("married", _("Has a spouse"), Kind.FLAG, _married),
        Fact(
            "children",
            _("Children born"),
            Kind.NUMBER,
            _children_count,
            aggregate=True,
            about_children=True,
        ),
        Fact(
            "living_children",
            _("Living children"),
            Kind.NUMBER,
            _living_children_count,
            aggregate=True,
            about_children=True,
        ),
        Fact(
            "living_sons",
            _("Living sons"),
            Kind.NUMBER,
            lambda d, v: _living_children_count(d, v, sex=Sex.MALE),
            aggregate=True,
            about_children=True,
        ),
        Fact(
            "living_daughters",
            _("Living daughters"),
            Kind.NUMBER,
            lambda d, v: _living_children_count(d, v, sex=Sex.FEMALE),
            aggregate=True,
            about_children=True,
        ),
        Fact(
            "deceased_children",
            _("Children deceased"),
            Kind.NUMBER,
            _deceased_children_count,
            aggregate=True,
            about_children=True,
        ),
        Fact(
            "youngest_child_age",
            _("Age of the youngest child"),
            Kind.AGE_YEARS,
            _youngest_child_birth,
            nullable=True,
            aggregate=True,
            about_children=True,
        ),
        Fact("mother_age", _("Mother's age"), Kind.AGE_YEARS, _mother_birth, nullable=True),
        Fact(
            "disability_grade", _("Disability grade"), Kind.NUMBER, _disability_grade, nullable=True
        ),
        Fact(
            "child_disability_grade",
            _("Most severe disability grade of a child"),
            Kind.NUMBER,
            _child_disability_grade,
            nullable=True,
            about_children=True,
        ),
        Fact("enrolled_in", _("Currently receives"), Kind.PROGRAM, _enrolled_in),
        Fact("paid_by", _("Has been paid by"), Kind.PROGRAM, _paid_by),
    )
}
