"""Family ties entered after the fact, as the data really arrives.

Link residents who already exist as parent and child or as spouses, change a household's
head or a member's relation, record a child who is not a resident here, and undo a link.
Each is a correction event naming who, when, the evidence document and the reason, and each
is reversed like any event (``events.event_reverse``). Both people must be in the actor's
scope: a community worker links only residents of their own community (anyone else is not
found); street staff may link residents of two communities of their street, and the event
belongs to the community of the child (of the husband, of the household).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.lookups import locked_or_404
from jisheng.registry.models import (
    Household,
    HouseholdMember,
    LifeEvent,
    MaritalStatus,
    Marriage,
    NonResident,
    ParentLink,
    Person,
    Relation,
    ResidentStatus,
    Sex,
)
from jisheng.registry.services.events import (
    Snapshot,
    birthday,
    event_record,
    marriage_add,
    person_add,
    require_living,
    require_person,
    set_marital_status,
)
from jisheng.registry.services.persons import InvalidPerson, PersonData, require_editable_community

Kind = LifeEvent.Kind
# A parent is at least this many years older than the child (the import's rule too).
PARENT_AGE_GAP = 14
EVIDENCE_LENGTH = 100
DISABILITY_GRADES = range(1, 5)


class Change:
    """What a family correction did, as its event's ``data["change"]`` names it."""

    PARENT_LINK = "parent_link"
    PARENT_UNLINK = "parent_unlink"
    SPOUSE_LINK = "spouse_link"
    SPOUSE_UNLINK = "spouse_unlink"
    HOUSEHOLD_HEAD = "household_head"
    MEMBER_RELATION = "member_relation"
    NON_RESIDENT_CHILD = "non_resident_child"
    NON_RESIDENT_FACTS = "non_resident_facts"


CHANGE_LABELS = {
    Change.PARENT_LINK: gettext_lazy("Parent and child linked"),
    Change.PARENT_UNLINK: gettext_lazy("Parent–child tie removed"),
    Change.SPOUSE_LINK: gettext_lazy("Spouses linked"),
    Change.SPOUSE_UNLINK: gettext_lazy("Marriage removed"),
    Change.HOUSEHOLD_HEAD: gettext_lazy("Head of household changed"),
    Change.MEMBER_RELATION: gettext_lazy("Relation to the head corrected"),
    Change.NON_RESIDENT_CHILD: gettext_lazy("Child not living here added"),
    Change.NON_RESIDENT_FACTS: gettext_lazy("Facts of a family member changed"),
}


@dataclass(frozen=True)
class Grounds:
    """Why a family record changes: the document that shows it, the reason, the day entered."""

    evidence: str
    reason: str
    date: dt.date


@dataclass
class NonResidentData:
    """A family member who does not live here: what the programs need about them."""

    name: str
    sex: str
    birth_date: dt.date | None
    id_number: str = ""
    lives_in: str = ""
    death_date: dt.date | None = None
    disability_grade: int | None = None


def _check_grounds(grounds: Grounds) -> None:
    if not grounds.evidence.strip():
        raise JishengError(
            _("Name the document that shows this family tie."), code="evidence_required"
        )
    if len(grounds.evidence) > EVIDENCE_LENGTH:
        raise JishengError(_("The evidence is longer than 100 characters."), code="invalid")
    if not grounds.reason.strip():
        raise JishengError(_("Say why the family record is changed."), code="reason_required")
    if grounds.date > timezone.localdate():
        raise JishengError(_("The date lies in the future."), code="invalid_date")


def _record(
    *,
    actor: Actor,
    change: str,
    person: Person,
    grounds: Grounds,
    snapshot: Snapshot,
    other: Person | None = None,
    **data: object,
) -> LifeEvent:
    return event_record(
        actor=actor,
        kind=Kind.CORRECTION,
        person=person,
        other=other,
        date=grounds.date,
        snapshot=snapshot,
        note=grounds.reason.strip(),
        data={"change": change, "evidence": grounds.evidence.strip(), **data},
    )


def _both(actor: Actor, first: Person, second: Person) -> tuple[Person, Person]:
    """Both people re-read in scope and locked, in id order so two links cannot deadlock."""
    if first.pk == second.pk:
        found = require_person(actor, first)
        return found, found
    locked = {p.pk: require_person(actor, p) for p in sorted((first, second), key=lambda p: p.pk)}
    return locked[first.pk], locked[second.pk]


def _living_parents(child: Person) -> list[Person]:
    return list(
        Person.objects.filter(child_links__child=child).exclude(status=ResidentStatus.VOIDED)
    )


def _check_parent(parent: Person, child: Person, *, existing: list[Person]) -> None:
    """Refuse a tie that cannot be: one's own parent, a third parent, a second mother or
    father, a parent less than 14 years older, a parent who is also the child's child."""
    if parent.pk == child.pk:
        raise JishengError(_("A person cannot be their own parent."), code="own_parent")
    if any(p.pk == parent.pk for p in existing):
        raise Conflict(
            _("These two are already linked as parent and child."), code="already_linked"
        )
    if len(existing) >= 2:
        raise Conflict(
            _(
                "%(name)s already has a father and a mother on record; "
                "a third parent cannot be added."
            )
            % {"name": child.name},
            code="third_parent",
        )
    if any(p.sex == parent.sex for p in existing):
        message = (
            _("%(name)s already has a mother on record.")
            if parent.sex == Sex.FEMALE
            else _("%(name)s already has a father on record.")
        )
        raise Conflict(message % {"name": child.name}, code="parent_taken")
    if child.birth_date < birthday(parent.birth_date, PARENT_AGE_GAP):
        raise JishengError(
            _("A parent must be at least 14 years older than the child."),
            code="parent_too_young",
        )


def _link(parent: Person, child: Person, snapshot: Snapshot) -> ParentLink:
    link = ParentLink.objects.create(parent=parent, child=child)
    snapshot.add("created_links", link.pk)
    return link


@transaction.atomic
def parent_link(*, actor: Actor, parent: Person, child: Person, grounds: Grounds) -> LifeEvent:
    """Record that ``parent`` is a parent of ``child``, both already on record."""
    _check_grounds(grounds)
    parent, child = _both(actor, parent, child)
    _check_parent(parent, child, existing=_living_parents(child))
    snapshot = Snapshot()
    _link(parent, child, snapshot)
    return _record(
        actor=actor,
        change=Change.PARENT_LINK,
        person=child,
        other=parent,
        grounds=grounds,
        snapshot=snapshot,
    )


@transaction.atomic
def parent_unlink(*, actor: Actor, parent: Person, child: Person, grounds: Grounds) -> LifeEvent:
    """Remove a parent–child tie entered by mistake; reversing this event restores it."""
    _check_grounds(grounds)
    parent, child = _both(actor, parent, child)
    link = ParentLink.objects.select_for_update().filter(parent=parent, child=child).first()
    if link is None:
        raise Conflict(_("These two are not linked as parent and child."), code="not_linked")
    snapshot = Snapshot()
    snapshot.data.setdefault("removed_links", []).append([link.pk, parent.pk, child.pk])
    link.delete()
    return _record(
        actor=actor,
        change=Change.PARENT_UNLINK,
        person=child,
        other=parent,
        grounds=grounds,
        snapshot=snapshot,
    )


@transaction.atomic
def spouse_link(
    *, actor: Actor, husband: Person, wife: Person, married_on: dt.date, grounds: Grounds
) -> LifeEvent:
    """Record the marriage of two residents already on record (a marriage of the past)."""
    _check_grounds(grounds)
    husband, wife = _both(actor, husband, wife)
    if husband.pk == wife.pk or husband.sex != Sex.MALE or wife.sex != Sex.FEMALE:
        raise JishengError(
            _("A marriage is registered for a man and a woman."), code="invalid_spouses"
        )
    require_living(husband)
    require_living(wife)
    for spouse in (husband, wife):
        current = (
            Marriage.objects.filter(Q(husband=spouse) | Q(wife=spouse), end_date__isnull=True)
            .select_related("husband", "wife")
            .first()
        )
        if current is not None:
            partner = current.wife if current.husband_id == spouse.pk else current.husband
            message = (
                _("These two are already married to each other.")
                if partner.pk in (husband.pk, wife.pk)
                else _("%(name)s is already married to someone else.") % {"name": spouse.name}
            )
            raise Conflict(message, code="already_married")
    if married_on > timezone.localdate():
        raise JishengError(_("The date of marriage lies in the future."), code="invalid_date")
    snapshot = Snapshot()
    marriage = marriage_add(husband, wife, married_on, snapshot)
    return _record(
        actor=actor,
        change=Change.SPOUSE_LINK,
        person=husband,
        other=wife,
        grounds=grounds,
        snapshot=snapshot,
        marriage_id=marriage.pk,
    )


@transaction.atomic
def spouse_unlink(*, actor: Actor, marriage: Marriage, grounds: Grounds) -> LifeEvent:
    """Remove a marriage entered by mistake (not a divorce); reversing this restores it."""
    _check_grounds(grounds)
    found = locked_or_404(Marriage, user=actor.user, pk=marriage.pk)
    husband, wife = _both(actor, found.husband, found.wife)
    snapshot = Snapshot()
    snapshot.data.setdefault("removed_marriages", []).append(
        {
            "pk": found.pk,
            "community_id": found.community_id,
            "husband_id": found.husband_id,
            "wife_id": found.wife_id,
            "date": found.date.isoformat(),
            "end_date": found.end_date.isoformat() if found.end_date else None,
            "end_reason": found.end_reason,
        }
    )
    try:
        with transaction.atomic():
            found.delete()
    except ProtectedError as exc:
        raise Conflict(
            _(
                "Other records use this marriage (such as a pre-pregnancy check); "
                "it cannot be removed."
            ),
            code="marriage_in_use",
        ) from exc
    if found.end_date is None:
        set_marital_status(MaritalStatus.UNMARRIED, snapshot, husband, wife)
    return _record(
        actor=actor,
        change=Change.SPOUSE_UNLINK,
        person=husband,
        other=wife,
        grounds=grounds,
        snapshot=snapshot,
    )


def _current_membership(person: Person) -> HouseholdMember | None:
    return (
        HouseholdMember.objects.select_for_update()
        .filter(person=person, end_date__isnull=True)
        .first()
    )


@transaction.atomic
def household_head_change(
    *,
    actor: Actor,
    household: Household,
    head: Person,
    former_head_relation: str,
    grounds: Grounds,
) -> LifeEvent:
    """Make a current member the head; the former head stays a member with the relation given."""
    _check_grounds(grounds)
    found = locked_or_404(Household, user=actor.user, pk=household.pk)
    require_editable_community(actor, found.community)
    head = require_living(require_person(actor, head))
    if found.head_id == head.pk:
        raise Conflict(_("This resident is already the head of household."), code="already_head")
    new = _current_membership(head)
    if new is None or new.household_id != found.pk:
        raise JishengError(
            _("The new head must be a current member of this household."), code="not_a_member"
        )
    if former_head_relation not in Relation.values or former_head_relation == Relation.HEAD:
        raise JishengError(
            _("Choose the former head's relation to the new head."), code="invalid_relation"
        )
    snapshot = Snapshot()
    snapshot.data["household_heads"] = {str(found.pk): found.head_id}
    relations: dict[str, str] = {str(new.pk): new.relation}
    former = found.head
    if former is not None:
        old = _current_membership(former)
        if old is not None and old.household_id == found.pk:
            relations[str(old.pk)] = old.relation
            old.relation = former_head_relation
            old.save(update_fields=["relation"])
    snapshot.data["member_relations"] = relations
    new.relation = Relation.HEAD
    new.save(update_fields=["relation"])
    found.head = head
    found.save(update_fields=["head"])
    return _record(
        actor=actor,
        change=Change.HOUSEHOLD_HEAD,
        person=head,
        other=former,
        grounds=grounds,
        snapshot=snapshot,
        household_id=found.pk,
    )


@transaction.atomic
def member_relation_change(
    *, actor: Actor, person: Person, relation: str, grounds: Grounds
) -> LifeEvent:
    """Correct a member's relation to the head of their current household."""
    _check_grounds(grounds)
    person = require_person(actor, person)
    membership = _current_membership(person)
    if membership is None:
        raise Conflict(_("This resident belongs to no household."), code="no_household")
    if relation not in Relation.values:
        raise JishengError(_("Choose the relation to the head of household."), code="invalid")
    if relation == Relation.HEAD or membership.relation == Relation.HEAD:
        raise JishengError(
            _("The head of household changes through “Change the head of household”."),
            code="head_relation",
        )
    if membership.relation == relation:
        raise Conflict(_("The relation is already recorded so."), code="unchanged")
    snapshot = Snapshot()
    snapshot.data["member_relations"] = {str(membership.pk): membership.relation}
    membership.relation = relation
    membership.save(update_fields=["relation"])
    return _record(
        actor=actor,
        change=Change.MEMBER_RELATION,
        person=person,
        grounds=grounds,
        snapshot=snapshot,
        household_id=membership.household_id,
        relation=relation,
    )


def _check_non_resident_facts(
    birth_date: dt.date, death_date: dt.date | None, disability_grade: int | None
) -> list[str]:
    problems = []
    if death_date is not None:
        if death_date < birth_date:
            problems.append(_("The date of death lies before the birth date."))
        if death_date > timezone.localdate():
            problems.append(_("The date of death lies in the future."))
    if disability_grade is not None and disability_grade not in DISABILITY_GRADES:
        problems.append(_("The disability grade is 1 to 4."))
    return problems


@transaction.atomic
def non_resident_child_record(
    *,
    actor: Actor,
    parent: Person,
    child: NonResidentData,
    other_parent: Person | None = None,
    grounds: Grounds,
) -> LifeEvent:
    """Put on record a child of ``parent`` who is not a resident here (living elsewhere, or
    dead before the registry began), so the programs count them. The ID number is optional:
    when given it is checked and must name nobody registered (then link that record instead)."""
    _check_grounds(grounds)
    if other_parent is not None:
        parent, other_parent = _both(actor, parent, other_parent)
    else:
        parent = require_person(actor, parent)
    if child.birth_date is None:
        raise InvalidPerson([_("Birth date is missing or not a date.")])
    # The dates themselves first: a birth in 1850 is that, not a parent "too young".
    possible_date(child.birth_date)
    if child.death_date is not None:
        possible_date(child.death_date)
    problems = _check_non_resident_facts(child.birth_date, child.death_date, child.disability_grade)
    if problems:
        raise InvalidPerson(problems)
    if (
        Person.objects.filter(
            parent_links__parent=parent, name=child.name.strip(), birth_date=child.birth_date
        )
        .exclude(status=ResidentStatus.VOIDED)
        .exists()
    ):
        # Also what makes a second submit of the same form harmless.
        raise Conflict(
            _("This child is already on record for %(name)s.") % {"name": parent.name},
            code="child_exists",
        )
    for each in filter(None, (parent, other_parent)):
        _check_parent(
            each,
            _unborn(child, child.birth_date),
            existing=[parent] if each is other_parent else [],
        )
    person = person_add(
        actor,
        parent.community,
        PersonData(
            name=child.name,
            sex=child.sex,
            birth_date=child.birth_date,
            id_number=child.id_number,
            address=child.lives_in,
            hukou_type=parent.hukou_type,
        ),
        require_id=False,
    )
    person.status = ResidentStatus.NON_RESIDENT
    person.save(update_fields=["status"])
    NonResident.objects.create(
        person=person, death_date=child.death_date, disability_grade=child.disability_grade
    )
    snapshot = Snapshot()
    snapshot.set("created_person", person.pk)
    for each in filter(None, (parent, other_parent)):
        _link(each, person, snapshot)
    return _record(
        actor=actor,
        change=Change.NON_RESIDENT_CHILD,
        person=parent,
        other=person,
        grounds=grounds,
        snapshot=snapshot,
    )


def _unborn(child: NonResidentData, birth_date: dt.date) -> Person:
    """The child as the parent checks read it, before it is saved."""
    return Person(pk=None, name=child.name, sex=child.sex, birth_date=birth_date)


@transaction.atomic
def non_resident_update(
    *,
    actor: Actor,
    person: Person,
    lives_in: str,
    death_date: dt.date | None,
    disability_grade: int | None,
    grounds: Grounds,
) -> LifeEvent:
    """Change what is on record about a family member who is not a resident (they died, their
    disability was graded, they moved); the old facts stay in the event."""
    _check_grounds(grounds)
    person = require_person(actor, person)
    facts = NonResident.objects.select_for_update().filter(person=person).first()
    if person.status != ResidentStatus.NON_RESIDENT or facts is None:
        raise NotFound()
    problems = _check_non_resident_facts(person.birth_date, death_date, disability_grade)
    if len(lives_in) > 200:
        problems.append(_("Address is longer than 200 characters."))
    if problems:
        raise InvalidPerson(problems)
    if (facts.death_date, facts.disability_grade, person.address) == (
        death_date,
        disability_grade,
        lives_in,
    ):
        raise Conflict(_("Nothing was changed."), code="unchanged")
    snapshot = Snapshot()
    snapshot.person(person, "address")
    snapshot.data["non_residents"] = {
        str(person.pk): {
            "death_date": facts.death_date.isoformat() if facts.death_date else None,
            "disability_grade": facts.disability_grade,
        }
    }
    person.address = lives_in
    person.save(update_fields=["address"])
    facts.death_date, facts.disability_grade = death_date, disability_grade
    facts.save(update_fields=["death_date", "disability_grade"])
    return _record(
        actor=actor,
        change=Change.NON_RESIDENT_FACTS,
        person=person,
        grounds=grounds,
        snapshot=snapshot,
    )
