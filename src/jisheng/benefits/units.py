"""Who one payment of a program is for: a person, a couple, a household or a child.

The beneficiary unit of a program holds from eligibility to the totals. Applications,
entitlements and payment lines carry ``unit_key``, the unit's name, and the database allows
one open application, one active entitlement and one payment per program, unit and period.
A couple is named by both spouses' record numbers, so it stays one unit whichever spouse
applies; a parent without a recorded spouse is a couple of one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.benefits.models import Program, Unit
from jisheng.core.errors import JishengError
from jisheng.registry.models import HouseholdMember, Marriage, Person


def unit_key(
    unit: str, person_id: int, *, spouse_id: int | None = None, household_id: int | None = None
) -> str:
    """The unit's name: ``couple:3-8`` (both spouses, lower number first), ``household:12``,
    ``person:5`` or ``child:5``. Also used by the migration that names existing records."""
    if unit == Unit.COUPLE:
        pair = sorted(n for n in (person_id, spouse_id) if n is not None)
        return "couple:" + "-".join(str(n) for n in pair)
    if unit == Unit.HOUSEHOLD:
        # Without a household (records older than this rule) the person stands alone.
        return f"household:{household_id}" if household_id is not None else f"person:{person_id}"
    return f"{unit}:{person_id}"


def current_spouse(person: Person) -> Person | None:
    """The spouse of the person's marriage that has not ended, if one is recorded."""
    marriage = (
        Marriage.objects.filter(Q(husband=person) | Q(wife=person), end_date__isnull=True)
        .select_related("husband", "wife")
        .order_by("-date", "-pk")
        .first()
    )
    if marriage is None:
        return None
    return marriage.wife if marriage.husband_id == person.pk else marriage.husband


@dataclass(frozen=True)
class Beneficiary:
    """One unit a program pays: the person applied for, the spouse of a couple, its key."""

    person: Person
    spouse: Person | None
    key: str

    @property
    def members(self) -> list[Person]:
        return [self.person] + ([self.spouse] if self.spouse else [])


def beneficiary_of(program: Program, person: Person) -> Beneficiary:
    """The unit ``person`` belongs to for ``program``; a household program needs a household."""
    if program.unit == Unit.COUPLE:
        spouse = current_spouse(person)
        key = unit_key(Unit.COUPLE, person.pk, spouse_id=spouse.pk if spouse else None)
        return Beneficiary(person, spouse, key)
    if program.unit == Unit.HOUSEHOLD:
        member = HouseholdMember.objects.filter(person=person, end_date__isnull=True).first()
        if member is None:
            raise JishengError(
                _("%(name)s belongs to no household; %(program)s is paid per household.")
                % {"name": person.name, "program": program.name},
                code="no_household",
            )
        key = unit_key(Unit.HOUSEHOLD, person.pk, household_id=member.household_id)
        return Beneficiary(person, None, key)
    return Beneficiary(person, None, unit_key(program.unit, person.pk))
