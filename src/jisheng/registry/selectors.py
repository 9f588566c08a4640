"""Registry reads, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action, Actor
from jisheng.core.errors import NotFound
from jisheng.core.idnumber import normalize_id_number
from jisheng.registry.models import Household, HouseholdMember, Person


@dataclass(frozen=True)
class PersonFilters:
    name: str = ""
    id_number: str = ""
    community_id: int | None = None
    status: str = ""

    @property
    def is_search(self) -> bool:
        return bool(self.name or self.id_number or self.community_id or self.status)


def person_list(*, user: User, filters: PersonFilters) -> QuerySet[Person]:
    """Residents in scope matching the filters; lists show only masked numbers."""
    persons = (
        Person.objects.visible_to(user).select_related("community").defer("id_number", "phone")
    )
    if filters.name:
        persons = persons.filter(name__startswith=filters.name)
    if filters.id_number:
        digest = Person._meta.get_field("id_number_index").digest(
            normalize_id_number(filters.id_number)
        )
        persons = persons.filter(id_number_index=digest)
    if filters.community_id:
        persons = persons.filter(community_id=filters.community_id)
    if filters.status:
        persons = persons.filter(status=filters.status)
    return persons.order_by("community__code", "name", "id")


def person_search_record(*, actor: Actor, filters: PersonFilters) -> None:
    """Every list or search is audited; the searched ID number itself is not written."""
    audit.record(
        action=Action.SEARCH,
        actor=actor,
        object_type="registry.person",
        detail={
            "name": bool(filters.name),
            "id_number": bool(filters.id_number),
            "community": filters.community_id,
            "status": filters.status,
        },
    )


def person_detail(*, actor: Actor, person_id: int) -> Person:
    """One resident with decrypted fields; the view is audited before it is returned."""
    person = (
        Person.objects.visible_to(actor.user)
        .select_related("community")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound()
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=person)
    return person


def household_list(*, user: User) -> QuerySet[Household]:
    return (
        Household.objects.visible_to(user)
        .select_related("community", "head")
        .order_by("community__code", "number", "id")
    )


def household_detail(*, actor: Actor, household_id: int) -> Household:
    household = household_list(user=actor.user).filter(pk=household_id).first()
    if household is None:
        raise NotFound()
    audit.record(action=Action.VIEW, actor=actor, obj=household)
    return household


def household_members(household: Household) -> QuerySet[HouseholdMember]:
    return household.members.select_related("person").order_by(
        "end_date", "relation", "person__birth_date"
    )


def current_household(person: Person) -> HouseholdMember | None:
    return person.memberships.filter(end_date__isnull=True).select_related("household").first()
