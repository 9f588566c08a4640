"""Inflow and outflow records: opened and ended with the registry's move-in and move-out
events in one transaction, told to the exchange (``exchange.hooks``) in that transaction,
and verified by visits."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.idnumber import birth_date_from_id
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.migrants.exchange import hooks
from jisheng.migrants.models import MigrantRecord, MoveKind, Partner, ResidentialComplex
from jisheng.migrants.models.records import Verification
from jisheng.migrants.regions import region_check
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.selectors import lifetime
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData, require_editable_community

DEFAULT_STALE_MONTHS = 6
TEXT_LIMITS = {"address": 200, "contact": 100, "employer": 100, "note": 200}
TEXT_LABELS = {
    "address": gettext_lazy("Address"),
    "contact": gettext_lazy("Contact"),
    "employer": gettext_lazy("Employer"),
    "note": gettext_lazy("Note"),
}


def stale_months() -> int:
    """Months after which an open record not verified is on the stale list (a setting)."""
    return int(getattr(settings, "JISHENG_MIGRANTS_STALE_MONTHS", DEFAULT_STALE_MONTHS))


def _text(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_LIMITS[field]:
        raise JishengError(
            _("%(field)s is longer than %(limit)d characters.")
            % {"field": TEXT_LABELS[field], "limit": TEXT_LIMITS[field]},
            code="invalid_input",
        )
    return value


def _place(
    actor: Actor,
    community: OrgUnit,
    complex_: ResidentialComplex | None,
    landlord: Partner | None,
) -> tuple[ResidentialComplex | None, Partner | None]:
    """The complex and landlord re-read in the actor's scope; both in the record's community."""
    if complex_ is not None:
        complex_ = visible_or_404(ResidentialComplex, user=actor.user, pk=complex_.pk)
        if complex_.community_id != community.pk:
            raise JishengError(
                _("The residential complex lies in another community."), code="invalid_complex"
            )
    if landlord is not None:
        landlord = visible_or_404(Partner, user=actor.user, pk=landlord.pk)
        if landlord.community_id != community.pk:
            raise JishengError(
                _("The landlord reports to another community."), code="invalid_landlord"
            )
    return complex_, landlord


def _create(**fields: Any) -> MigrantRecord:
    try:
        with transaction.atomic():
            return MigrantRecord.objects.create(**fields)
    except IntegrityError as exc:  # the one-open-record constraint, under a concurrent write
        raise _already_open() from exc


def _already_open() -> Conflict:
    return Conflict(
        _("This person already has an open record of this kind."), code="record_already_open"
    )


@transaction.atomic
def inflow_open(
    *,
    actor: Actor,
    community: OrgUnit,
    moved_on: dt.date,
    region_code: str,
    address: str,
    contact: str = "",
    person: Person | None = None,
    data: PersonData | None = None,
    complex_: ResidentialComplex | None = None,
    landlord: Partner | None = None,
    employer: str = "",
) -> MigrantRecord:
    """A person registered elsewhere (``region_code``) lives here from ``moved_on``.

    A new arrival (``data``) or one who had moved away (``person``, moved out) enters the
    registry with a move-in event; a resident already living here gets the record alone.
    """
    require_editable_community(actor, community)
    region_code = region_check(region_code)
    address, contact = _text(address, "address"), _text(contact, "contact")
    employer = _text(employer, "employer")
    complex_, landlord = _place(actor, community, complex_, landlord)
    possible_date(moved_on)
    event = None
    if person is not None:
        person = locked_or_404(Person, user=actor.user, pk=person.pk)
        if MigrantRecord.objects.filter(
            person=person, kind=MoveKind.INFLOW, ended_on__isnull=True
        ).exists():
            raise _already_open()
        if person.status == ResidentStatus.LIVING:
            possible_date(moved_on, lifetime(person))
            if person.community_id != community.pk:
                raise JishengError(
                    _("This resident lives in another community."), code="invalid_community"
                )
        else:
            event = events.move_in_record(
                actor=actor,
                community=community,
                date=moved_on,
                person=person,
                address=address,
                origin=region_code,
            )
    elif data is not None:
        if data.birth_date is None:
            # The ID number carries it; a bad number is refused by the registry's checks.
            with contextlib.suppress(ValueError, ValidationError):
                data.birth_date = birth_date_from_id(data.id_number)
        data.is_floating = True
        data.hukou_division = data.hukou_division or region_code
        event = events.move_in_record(
            actor=actor,
            community=community,
            date=moved_on,
            data=data,
            address=address,
            origin=region_code,
        )
        person = event.person
    else:
        raise JishengError(_("Give the person moving in."), code="invalid")
    record = _create(
        kind=MoveKind.INFLOW,
        person=person,
        community=community,
        region_code=region_code,
        moved_on=moved_on,
        address=address,
        contact=contact,
        move_event=event,
        last_verified_on=timezone.localdate(),
        complex=complex_,
        landlord=landlord,
        employer=employer,
        created_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=record, detail={"kind": record.kind})
    hooks.record_opened(record)
    return record


@transaction.atomic
def outflow_open(
    *,
    actor: Actor,
    person: Person,
    moved_on: dt.date,
    region_code: str,
    address: str = "",
    contact: str = "",
) -> MigrantRecord:
    """A resident registered here now lives in ``region_code``: the move-out event and the
    outflow record, together."""
    region_code = region_check(region_code)
    address, contact = _text(address, "address"), _text(contact, "contact")
    found = locked_or_404(Person, user=actor.user, pk=person.pk)
    if MigrantRecord.objects.filter(
        person=found, kind=MoveKind.OUTFLOW, ended_on__isnull=True
    ).exists():
        raise _already_open()
    event = events.move_out_record(
        actor=actor, person=found, date=moved_on, destination=region_code
    )
    record = _create(
        kind=MoveKind.OUTFLOW,
        person=found,
        community=found.community,
        region_code=region_code,
        moved_on=moved_on,
        address=address,
        contact=contact,
        move_event=event,
        last_verified_on=timezone.localdate(),
        created_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=record, detail={"kind": record.kind})
    hooks.record_opened(record)
    return record


@transaction.atomic
def record_end(
    *, actor: Actor, record: MigrantRecord, ended_on: dt.date, note: str = ""
) -> MigrantRecord:
    """The inflow moved on (move-out event) or the outflow came back (move-in event)."""
    found = locked_or_404(MigrantRecord, user=actor.user, pk=record.pk)
    require_editable_community(actor, found.community)
    if found.ended_on is not None:
        raise Conflict(_("This record has already ended."), code="record_ended")
    person = found.person
    possible_date(ended_on, lifetime(person))
    if ended_on < found.moved_on:
        raise JishengError(
            _("The record cannot end before the date of the move (%(date)s).")
            % {"date": found.moved_on.isoformat()},
            code="invalid_date",
        )
    note = _text(note, "note")
    event = None
    if found.kind == MoveKind.INFLOW and person.status == ResidentStatus.LIVING:
        event = events.move_out_record(actor=actor, person=person, date=ended_on, note=note)
    elif found.kind == MoveKind.OUTFLOW and person.status == ResidentStatus.MOVED_OUT:
        event = events.move_in_record(
            actor=actor, community=found.community, date=ended_on, person=person
        )
    found.ended_on, found.end_event = ended_on, event
    found.save(update_fields=["ended_on", "end_event", "updated_at"])
    audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"ended": True})
    hooks.record_ended(found)
    return found


@transaction.atomic
def record_verify(
    *,
    actor: Actor,
    record: MigrantRecord,
    visited_on: dt.date,
    address: str,
    contact: str,
    employer: str = "",
    complex_: ResidentialComplex | None = None,
    note: str = "",
) -> Verification:
    """A verification visit: what it found is saved on the record, what changed is listed."""
    found = locked_or_404(MigrantRecord, user=actor.user, pk=record.pk)
    require_editable_community(actor, found.community)
    if found.ended_on is not None:
        raise Conflict(_("This record has already ended."), code="record_ended")
    possible_date(visited_on, lifetime(found.person))
    if visited_on < found.moved_on:
        raise JishengError(
            _("The visit cannot precede the date of the move (%(date)s).")
            % {"date": found.moved_on.isoformat()},
            code="invalid_date",
        )
    found_values = {
        "address": _text(address, "address"),
        "contact": _text(contact, "contact"),
        "employer": _text(employer, "employer"),
    }
    if found.kind == MoveKind.INFLOW:
        complex_, _landlord = _place(actor, found.community, complex_, None)
        found_values["complex"] = complex_  # type: ignore[assignment]
    changes = [
        name
        for name, value in found_values.items()
        if (getattr(found, name) or "") != (value or "")
    ]
    for name, value in found_values.items():
        setattr(found, name, value)
    found.last_verified_on = max(found.last_verified_on, visited_on)
    found.save()
    visit = Verification.objects.create(
        record=found,
        community=found.community,
        visited_on=visited_on,
        changes=changes,
        note=_text(note, "note"),
        visited_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=visit, detail={"changes": changes})
    return visit
