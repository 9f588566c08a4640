"""Life events: each one changes derived state in one transaction, is audited, and can be
reversed by a correction event. History itself is never edited.

An event's ``before`` records what it changed, in a shape that one generic function
(:func:`event_reverse`) can undo:
``persons``: {id: {field: old value}}, ``created_person``, ``created_memberships``,
``ended_memberships``, ``created_links``, ``created_marriage``, ``ended_marriages``; the
family corrections (``services.family``) add ``removed_links``, ``removed_marriages``,
``household_heads``, ``member_relations`` and ``non_residents``.
Sensitive old values are stored encrypted, never as plaintext JSON.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core import crypto, modules
from jisheng.core.actors import Actor
from jisheng.core.dates import Lifetime, possible_date
from jisheng.core.errors import Conflict, JishengError, NeedsConfirmation
from jisheng.core.idnumber import mask_id_number, mask_phone
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.prepared import PreparedRows
from jisheng.registry.birth_spacing import require_spacing
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
from jisheng.registry.selectors import lifetime
from jisheng.registry.services.persons import (
    InvalidPerson,
    PersonData,
    id_number_digest,
    person_data_check,
    person_insert,
    require_editable_community,
)

Kind = LifeEvent.Kind
NOTE_LENGTH = 200
FIELD_TYPES: dict[str, type] = {"birth_date": dt.date, "is_floating": bool}
SENSITIVE_FIELDS = frozenset({"id_number", "phone"})
CORRECTABLE_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "ethnicity",
    "hukou_type",
    "hukou_division",
    "address",
    "is_floating",
)
# Correctable facts that go through the same checks as a new record.
CHECKED_FIELDS = tuple(name for name in CORRECTABLE_FIELDS if name != "is_floating")
# Fields a snapshot may restore; everything else about a person is set only on creation.
RESTORABLE_FIELDS = frozenset({*CORRECTABLE_FIELDS, "status", "community_id", "marital_status"})


def _encode(field: str, value: Any) -> Any:
    if field in SENSITIVE_FIELDS and value:
        return {
            "enc": base64.b64encode(crypto.encrypt(str(value), context=f"event.{field}")).decode()
        }
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(field: str, value: Any) -> Any:
    if isinstance(value, dict) and "enc" in value:
        return crypto.decrypt(base64.b64decode(value["enc"]), context=f"event.{field}")
    if field == "birth_date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


class Snapshot:
    """Collects what an event changes, for its ``before``."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def person(self, person: Person, *fields: str) -> None:
        saved = self.data.setdefault("persons", {}).setdefault(str(person.pk), {})
        for name in fields:
            saved.setdefault(name, _encode(name, getattr(person, name)))

    def add(self, key: str, value: int) -> None:
        self.data.setdefault(key, []).append(value)

    def set(self, key: str, value: int) -> None:
        self.data[key] = value


def require_person(actor: Actor, person: Person) -> Person:
    """Re-read the person inside the user's scope, locked for the event."""
    found = locked_or_404(Person, user=actor.user, pk=person.pk)
    require_editable_community(actor, found.community)
    if found.status == ResidentStatus.VOIDED:
        raise Conflict(_("This record was voided."), code="voided")
    return found


def require_living(person: Person) -> Person:
    if person.status != ResidentStatus.LIVING:
        raise Conflict(
            _("Only a resident living here can take part in this event."), code="not_living"
        )
    return person


def event_record(
    *,
    actor: Actor,
    kind: str,
    person: Person,
    date: dt.date,
    snapshot: Snapshot,
    data: dict[str, Any] | None = None,
    other: Person | None = None,
    note: str = "",
    reverses: LifeEvent | None = None,
) -> LifeEvent:
    if len(note) > NOTE_LENGTH:
        raise JishengError(_("The note is longer than 200 characters."), code="invalid")
    event = LifeEvent.objects.create(
        kind=kind,
        person=person,
        other_person=other,
        community=person.community,
        date=date,
        note=note,
        data=data or {},
        before=snapshot.data,
        reverses=reverses,
        recorded_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=event, detail={"kind": kind})
    return event


def household_number(household: Household) -> str:
    """户号 for a household founded here: community code tail and a serial, unique by pk."""
    return f"{household.community.code[-6:]}{household.pk:06d}"


def birthday(born: dt.date, age: int) -> dt.date:
    """The day a person reaches ``age`` (29 February counts from 1 March)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return dt.date(born.year + age, 3, 1)


def marriage_add(husband: Person, wife: Person, date: dt.date, snapshot: Snapshot) -> Marriage:
    """A marriage of two people of legal age on ``date``, both then married: the one place
    the marriage event and the family correction create a marriage (the caller checked the
    rest: a man and a woman, living, neither married)."""
    for spouse, age in ((husband, 22), (wife, 20)):
        if date < birthday(spouse.birth_date, age):
            raise JishengError(_("Below the legal age of marriage."), code="under_age")
    marriage = Marriage.objects.create(
        community=husband.community, husband=husband, wife=wife, date=date
    )
    snapshot.set("created_marriage", marriage.pk)
    set_marital_status(MaritalStatus.MARRIED, snapshot, husband, wife)
    return marriage


def set_marital_status(status: str, snapshot: Snapshot, *people: Person) -> None:
    for person in people:
        snapshot.person(person, "marital_status")
        person.marital_status = status
        person.save(update_fields=["marital_status"])


def _end_membership(person: Person, date: dt.date, snapshot: Snapshot) -> HouseholdMember | None:
    current = person.memberships.filter(end_date__isnull=True).first()
    if current is not None:
        current.end_date = date
        current.save(update_fields=["end_date"])
        snapshot.add("ended_memberships", current.pk)
    return current


def _join(
    person: Person, household: Household, relation: str, date: dt.date, snapshot: Snapshot
) -> HouseholdMember:
    """``person`` joins ``household`` of their own community: registration, birth, move-in and
    household change all come here, so none can put a resident in another community's home."""
    if relation not in Relation.values:
        raise JishengError(_("Choose the relation to the head of household."), code="invalid")
    if household.community_id != person.community_id:
        # Joining it would leave the resident counted, listed and served by the old
        # community while living in the new one's household: that is a move.
        raise JishengError(
            _(
                "Household %(number)s belongs to %(community)s, and %(name)s to %(own)s. "
                "A move to another community is registered as a move-out here and a "
                "move-in there."
            )
            % {
                "number": household.number or household.pk,
                "community": household.community.name,
                "name": person.name,
                "own": person.community.name,
            },
            code="household_in_another_community",
        )
    member = HouseholdMember.objects.create(
        household=household, person=person, relation=relation, start_date=date
    )
    snapshot.add("created_memberships", member.pk)
    return member


def person_add(actor: Actor, community: OrgUnit, data: PersonData, *, require_id: bool) -> Person:
    try:
        with transaction.atomic():
            return person_insert(
                actor=actor, community=community, data=data, require_id_number=require_id
            )
    except IntegrityError as exc:  # a concurrent insert of the same ID number
        raise Conflict(
            _("This ID number is already registered."), code="duplicate_id_number"
        ) from exc


@transaction.atomic
def registration_record(
    *,
    actor: Actor,
    community: OrgUnit,
    data: PersonData,
    date: dt.date,
    household: Household | None = None,
    relation: str = Relation.HEAD,
) -> LifeEvent:
    """Enter an existing resident into the registry (建档)."""
    person = person_add(actor, community, data, require_id=True)
    possible_date(date, lifetime(person))
    snapshot = Snapshot()
    snapshot.set("created_person", person.pk)
    if household is not None:
        _join(
            person,
            visible_or_404(Household, user=actor.user, pk=household.pk),
            relation,
            date,
            snapshot,
        )
    return event_record(
        actor=actor, kind=Kind.REGISTRATION, person=person, date=date, snapshot=snapshot
    )


@transaction.atomic
def birth_record(
    *,
    actor: Actor,
    mother: Person,
    child: PersonData,
    father: Person | None = None,
    household: Household | None = None,
) -> LifeEvent:
    """A child is born: create the child, link the parents, join a household, note birth order."""
    mother = require_living(require_person(actor, mother))
    if mother.sex != Sex.FEMALE:
        raise JishengError(_("The mother must be a woman."), code="invalid_mother")
    if father is not None:
        father = require_person(actor, father)
        if father.sex != Sex.MALE:
            raise JishengError(_("The father must be a man."), code="invalid_father")
    if child.birth_date is None:
        raise InvalidPerson([_("Birth date is missing or not a date.")])
    if child.birth_date < mother.birth_date:
        raise InvalidPerson([_("The child cannot be born before the mother.")])
    # A father may have died before the birth; he cannot have been born after it.
    fathers = [Lifetime(name=father.name, born=father.birth_date)] if father else []
    possible_date(child.birth_date, lifetime(mother), *fathers)
    # The mother row is locked (require_person): a concurrent birth waits and sees this one.
    require_spacing(
        child.birth_date,
        ParentLink.objects.filter(parent=mother)
        .exclude(child__status=ResidentStatus.VOIDED)
        .values_list("child__birth_date", flat=True),
    )
    child.address = child.address or mother.address
    child.is_floating = mother.is_floating
    person = person_add(actor, mother.community, child, require_id=False)
    snapshot = Snapshot()
    snapshot.set("created_person", person.pk)
    for parent in filter(None, (mother, father)):
        link = ParentLink.objects.create(parent=parent, child=person)
        snapshot.add("created_links", link.pk)
    if household is None:
        membership = mother.memberships.filter(end_date__isnull=True).first()
        household = membership.household if membership else None
    if household is not None:
        relation = Relation.SON if person.sex == Sex.MALE else Relation.DAUGHTER
        _join(
            person,
            visible_or_404(Household, user=actor.user, pk=household.pk),
            relation,
            child.birth_date,
            snapshot,
        )
    birth_order = (
        ParentLink.objects.filter(parent=mother)
        .exclude(child__status=ResidentStatus.VOIDED)
        .count()
    )
    return event_record(
        actor=actor,
        kind=Kind.BIRTH,
        person=person,
        other=mother,
        date=child.birth_date,
        snapshot=snapshot,
        data={
            "birth_order": birth_order,
            "sex": person.sex,
            "mother_id": mother.pk,
            "father_id": father.pk if father else None,
        },
    )


def _leave(
    *,
    actor: Actor,
    kind: str,
    person: Person,
    date: dt.date,
    status: str,
    note: str,
    data: dict[str, Any] | None = None,
) -> LifeEvent:
    person = require_person(actor, person)
    if person.status != ResidentStatus.LIVING:
        raise Conflict(_("Only a resident living here can die or move out."), code="not_living")
    possible_date(date, lifetime(person))
    snapshot = Snapshot()
    snapshot.person(person, "status", "marital_status")
    person.status = status
    _end_membership(person, date, snapshot)
    if kind == Kind.DEATH:
        for marriage in Marriage.objects.filter(
            Q(husband=person) | Q(wife=person), end_date__isnull=True
        ):
            spouse = marriage.wife if marriage.husband_id == person.pk else marriage.husband
            marriage.end_date, marriage.end_reason = date, Marriage.EndReason.DEATH
            marriage.save(update_fields=["end_date", "end_reason"])
            snapshot.add("ended_marriages", marriage.pk)
            set_marital_status(MaritalStatus.WIDOWED, snapshot, spouse)
    person.save(update_fields=["status"])
    return event_record(
        actor=actor, kind=kind, person=person, date=date, snapshot=snapshot, note=note, data=data
    )


@transaction.atomic
def death_record(*, actor: Actor, person: Person, date: dt.date, note: str = "") -> LifeEvent:
    return _leave(
        actor=actor,
        kind=Kind.DEATH,
        person=person,
        date=date,
        status=ResidentStatus.DECEASED,
        note=note,
    )


@transaction.atomic
def move_out_record(
    *, actor: Actor, person: Person, date: dt.date, destination: str = "", note: str = ""
) -> LifeEvent:
    return _leave(
        actor=actor,
        kind=Kind.MOVE_OUT,
        person=person,
        date=date,
        status=ResidentStatus.MOVED_OUT,
        note=note,
        data={"destination": destination},
    )


@transaction.atomic
def move_in_record(
    *,
    actor: Actor,
    community: OrgUnit,
    date: dt.date,
    person: Person | None = None,
    data: PersonData | None = None,
    address: str = "",
    household: Household | None = None,
    relation: str = Relation.HEAD,
    origin: str = "",
) -> LifeEvent:
    """A resident arrives: a returning one (``person``) or a new one (``data``)."""
    require_editable_community(actor, community)
    snapshot = Snapshot()
    if person is not None:
        found = locked_or_404(Person, user=actor.user, pk=person.pk)
        if found.status != ResidentStatus.MOVED_OUT:
            raise Conflict(
                _("Only a resident who moved out can move back in."), code="not_moved_out"
            )
        person = found
        possible_date(date, lifetime(person))
        snapshot.person(person, "status", "community_id", "address")
        person.status, person.community = ResidentStatus.LIVING, community
        person.address = address or person.address
        person.save(update_fields=["status", "community", "address"])
        modules.persons_moved([person.pk])
    elif data is not None:
        data.address = address or data.address
        person = person_add(actor, community, data, require_id=True)
        possible_date(date, lifetime(person))
        snapshot.set("created_person", person.pk)
    else:
        raise JishengError(_("Give the person moving in."), code="invalid")
    if household is not None:
        _join(
            person,
            visible_or_404(Household, user=actor.user, pk=household.pk),
            relation,
            date,
            snapshot,
        )
    return event_record(
        actor=actor,
        kind=Kind.MOVE_IN,
        person=person,
        date=date,
        snapshot=snapshot,
        data={"origin": origin},
    )


@transaction.atomic
def marriage_record(*, actor: Actor, husband: Person, wife: Person, date: dt.date) -> LifeEvent:
    husband = require_living(require_person(actor, husband))
    wife = require_living(require_person(actor, wife))
    if husband.sex != Sex.MALE or wife.sex != Sex.FEMALE:
        raise JishengError(
            _("A marriage is registered for a man and a woman."), code="invalid_spouses"
        )
    possible_date(date, lifetime(husband), lifetime(wife))
    if Marriage.objects.filter(
        Q(husband__in=[husband, wife]) | Q(wife__in=[husband, wife]), end_date__isnull=True
    ).exists():
        raise Conflict(_("One of them is already married."), code="already_married")
    snapshot = Snapshot()
    marriage = marriage_add(husband, wife, date, snapshot)
    return event_record(
        actor=actor,
        kind=Kind.MARRIAGE,
        person=husband,
        other=wife,
        date=date,
        snapshot=snapshot,
        data={"marriage_id": marriage.pk},
    )


@transaction.atomic
def divorce_record(*, actor: Actor, marriage: Marriage, date: dt.date) -> LifeEvent:
    found = locked_or_404(Marriage, user=actor.user, pk=marriage.pk)
    if found.end_date is not None:
        raise Conflict(_("This marriage has already ended."), code="marriage_ended")
    if date < found.date:
        raise JishengError(_("A divorce cannot precede the marriage."), code="invalid_date")
    husband, wife = require_person(actor, found.husband), require_person(actor, found.wife)
    possible_date(date, lifetime(husband), lifetime(wife))
    snapshot = Snapshot()
    found.end_date, found.end_reason = date, Marriage.EndReason.DIVORCE
    found.save(update_fields=["end_date", "end_reason"])
    snapshot.add("ended_marriages", found.pk)
    set_marital_status(MaritalStatus.DIVORCED, snapshot, husband, wife)
    return event_record(
        actor=actor,
        kind=Kind.DIVORCE,
        person=husband,
        other=wife,
        date=date,
        snapshot=snapshot,
        data={"marriage_id": found.pk},
    )


@transaction.atomic
def household_change_record(
    *,
    actor: Actor,
    person: Person,
    date: dt.date,
    household: Household | None = None,
    address: str = "",
    relation: str = Relation.HEAD,
    moves_there: bool = False,
) -> LifeEvent:
    """Move a person to another household, or found a new one at ``address`` (``moves_there``:
    the person's own address becomes it too)."""
    person = require_living(require_person(actor, person))
    possible_date(date, lifetime(person))
    current = person.memberships.filter(end_date__isnull=True).first()
    if current is not None and date < current.start_date:
        raise JishengError(
            _("The change lies before the resident joined the current household (%(date)s).")
            % {"date": current.start_date.isoformat()},
            code="date_before_membership",
        )
    snapshot = Snapshot()
    _end_membership(person, date, snapshot)
    if household is None:
        if not address:
            raise JishengError(_("Give the household or the new address."), code="invalid")
        household = Household.objects.create(
            community=person.community, address=address, head=person
        )
        household.number = household_number(household)
        household.save(update_fields=["number"])
        snapshot.set("created_household", household.pk)
        relation = Relation.HEAD
        if moves_there and person.address != address:
            snapshot.person(person, "address")
            person.address = address
            person.save(update_fields=["address"])
    else:
        household = visible_or_404(Household, user=actor.user, pk=household.pk)
    _join(person, household, relation, date, snapshot)
    return event_record(
        actor=actor,
        kind=Kind.HOUSEHOLD_CHANGE,
        person=person,
        date=date,
        snapshot=snapshot,
        data={"household_id": household.pk},
    )


@transaction.atomic
def household_found(
    *, actor: Actor, head: Person, date: dt.date, address: str, confirmed: bool = False
) -> LifeEvent:
    """A new household at ``address`` with ``head``, who lives there from now on. A head who
    belongs to another household leaves it: said first, done only once confirmed."""
    head = require_living(require_person(actor, head))
    current = head.memberships.filter(end_date__isnull=True).select_related("household").first()
    if current is not None and not confirmed:
        raise NeedsConfirmation(
            [
                _(
                    "%(name)s belongs to household %(number)s (%(address)s) and leaves it "
                    "for the new one."
                )
                % {
                    "name": head.name,
                    "number": current.household.number or current.household.pk,
                    "address": current.household.address,
                }
            ]
        )
    return household_change_record(
        actor=actor, person=head, date=date, address=address, moves_there=True
    )


@transaction.atomic
def person_correct(
    *, actor: Actor, person: Person, changes: dict[str, Any], reason: str, date: dt.date
) -> LifeEvent:
    """Fix wrongly entered facts; the old values stay in the event (encrypted where sensitive)."""
    if not reason.strip():
        raise JishengError(_("Say why the record is corrected."), code="reason_required")
    possible_date(date)
    person = require_person(actor, person)
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise JishengError(_("These facts cannot be corrected here."), code="invalid")
    if any(not isinstance(value, FIELD_TYPES.get(name, str)) for name, value in changes.items()):
        raise JishengError(_("A corrected value has the wrong type."), code="invalid")
    data = PersonData(
        **{name: changes.get(name, getattr(person, name) or "") for name in CHECKED_FIELDS}
    )
    problems = person_data_check(data, require_id_number=bool(person.id_number))
    if problems:
        raise InvalidPerson(problems)
    if "birth_date" in changes:
        _birth_before_events(person, data.birth_date)
    if (
        "id_number" in changes
        and data.id_number
        and Person.objects.filter(id_number_index=id_number_digest(data.id_number))
        .exclude(pk=person.pk)
        .exists()
    ):
        raise Conflict(_("This ID number is already registered."), code="duplicate_id_number")
    snapshot = Snapshot()
    snapshot.person(person, *changes)
    for name in changes:
        setattr(person, name, getattr(data, name) if name in CHECKED_FIELDS else changes[name])
    _refresh_derived(person)
    _save_unique(person)
    if "name" in changes:
        # Apps keep the name on their rows to sort lists by it (same hook as a move).
        modules.persons_moved([person.pk])
    return event_record(
        actor=actor,
        kind=Kind.CORRECTION,
        person=person,
        date=date,
        snapshot=snapshot,
        note=reason,
        data={"fields": sorted(changes)},
    )


def _birth_before_events(person: Person, born: dt.date | None) -> None:
    """A corrected birth date may not put the resident's own recorded events before the birth."""
    first = (
        LifeEvent.objects.filter(person_id=person.pk, reversed_by__isnull=True)
        .exclude(kind__in=[Kind.CORRECTION, Kind.BIRTH])
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    if born is not None and first is not None and born > first:
        raise JishengError(
            _("The birth date lies after an event recorded for this resident (%(date)s).")
            % {"date": first.isoformat()},
            code="date_before_birth",
        )


def _save_unique(person: Person) -> None:
    """Save, turning a clash on the ID number (someone else holds it now) into a refusal."""
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise Conflict(
            _("This ID number is already registered."), code="duplicate_id_number"
        ) from exc


def _refresh_derived(person: Person) -> None:
    person.id_number_masked = mask_id_number(person.id_number) if person.id_number else ""
    person.phone_masked = mask_phone(person.phone) if person.phone else ""


# The events after one event (id ``after``) of either person it concerns: each one's id and
# the id of the event it reverses. Read through the two persons' indexes; a condition on
# ``reverses`` in SQL led SQLite's planner to walk every event through that unique index.
_LATER_EVENTS: PreparedRows[tuple[int, int | None]] = PreparedRows(
    lambda user, person, other, after: LifeEvent.objects.filter(
        Q(person__in=[person, other]) | Q(other_person__in=[person, other]), pk__gt=after
    ).values_list("pk", "reverses_id")
)


def _later_events(event: LifeEvent) -> list[tuple[int, int | None]]:
    """(id, reversed id) of the events after ``event`` of its persons. A reversal names the
    persons of the event it reverses, so every reversal of these events is among them."""
    other = event.other_person_id or event.person_id
    return _LATER_EVENTS.all(None, event.person_id, other, event.pk)


def _any_in_effect(later: list[tuple[int, int | None]]) -> bool:
    """One of ``later`` is neither a reversal nor reversed (by another of them)."""
    reversed_ids = {reverses for _, reverses in later if reverses is not None}
    return any(reverses is None and pk not in reversed_ids for pk, reverses in later)


def _effective_later_events(event: LifeEvent) -> bool:
    return _any_in_effect(_later_events(event))


def event_can_be_reversed(event: LifeEvent) -> bool:
    """What ``event_reverse`` will accept, for pages to offer the action only then."""
    if event.reverses_id is not None:
        return False
    later = _later_events(event)
    already_reversed = any(reverses == event.pk for _, reverses in later)
    return not already_reversed and not _any_in_effect(later)


def _restore_family(before: dict[str, Any]) -> None:
    """Put back the ties a family correction removed or changed, under their old ids (so a
    birth or marriage event that created them still names them)."""
    try:
        with transaction.atomic():
            for pk, parent_id, child_id in before.get("removed_links", []):
                ParentLink.objects.create(pk=pk, parent_id=parent_id, child_id=child_id)
            for saved in before.get("removed_marriages", []):
                Marriage.objects.create(
                    **{
                        **saved,
                        "date": dt.date.fromisoformat(saved["date"]),
                        "end_date": saved["end_date"] and dt.date.fromisoformat(saved["end_date"]),
                    }
                )
    except IntegrityError as exc:  # the same tie was entered again meanwhile
        raise Conflict(
            _("This tie has been recorded again since; undo that first."), code="tie_exists"
        ) from exc
    for pk, head_id in before.get("household_heads", {}).items():
        Household.objects.filter(pk=int(pk)).update(head_id=head_id)
    for pk, relation in before.get("member_relations", {}).items():
        HouseholdMember.objects.filter(pk=int(pk)).update(relation=relation)
    for pk, facts in before.get("non_residents", {}).items():
        NonResident.objects.filter(pk=int(pk)).update(
            death_date=facts["death_date"] and dt.date.fromisoformat(facts["death_date"]),
            disability_grade=facts["disability_grade"],
        )


@transaction.atomic
def event_reverse(*, actor: Actor, event: LifeEvent, reason: str, date: dt.date) -> LifeEvent:
    """Undo an event with a correction that names it. Only the latest event can be undone."""
    found = locked_or_404(LifeEvent, user=actor.user, pk=event.pk)
    require_editable_community(actor, found.community)
    if not reason.strip():
        raise JishengError(_("Say why the event is reversed."), code="reason_required")
    possible_date(date)
    if found.reverses_id is not None:
        raise Conflict(
            _("A reversal cannot itself be reversed; record the event again."),
            code="reversal_of_reversal",
        )
    if LifeEvent.objects.filter(reverses=found).exists():
        raise Conflict(_("This event has already been reversed."), code="already_reversed")
    if _effective_later_events(found):
        raise Conflict(_("Later events depend on this one: reverse them first."), code="not_latest")
    before = found.before
    moved: list[int] = []
    for pk, fields in before.get("persons", {}).items():
        person = Person.objects.select_for_update().get(pk=int(pk))
        community_id = person.community_id
        for name, value in fields.items():
            if name in RESTORABLE_FIELDS:
                setattr(person, name, _decode(name, value))
        _refresh_derived(person)
        _save_unique(person)
        if person.community_id != community_id or "name" in fields:
            moved.append(person.pk)
    modules.persons_moved(moved)
    _restore_family(before)
    HouseholdMember.objects.filter(pk__in=before.get("created_memberships", [])).delete()
    HouseholdMember.objects.filter(pk__in=before.get("ended_memberships", [])).update(end_date=None)
    ParentLink.objects.filter(pk__in=before.get("created_links", [])).delete()
    if "created_marriage" in before:
        Marriage.objects.filter(pk=before["created_marriage"]).delete()
    Marriage.objects.filter(pk__in=before.get("ended_marriages", [])).update(
        end_date=None, end_reason=""
    )
    if "created_household" in before:
        Household.objects.filter(pk=before["created_household"]).update(head=None)
    if "created_person" in before:
        Person.objects.filter(pk=before["created_person"]).update(status=ResidentStatus.VOIDED)
    person = Person.objects.get(pk=found.person_id)
    return event_record(
        actor=actor,
        kind=Kind.CORRECTION,
        person=person,
        other=found.other_person,
        date=date,
        snapshot=Snapshot(),
        note=reason,
        reverses=found,
        data={"reversed_kind": found.kind},
    )
