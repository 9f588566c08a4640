"""The roster: enrolling a person on a method, follow-ups, stopping or switching methods.

Audit details carry IDs and codes only; notes and side effects never leave the encrypted
columns.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action, Actor
from jisheng.contraceptives.models import (
    DistributionPoint,
    Method,
    RosterEntry,
    RosterFollowUp,
    Satisfaction,
    StopReason,
)
from jisheng.contraceptives.services.access import check_date, check_text, require_health_duty
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.registry.models import Person, ResidentStatus

NOTES_LENGTH = 2000


def _person(actor: Actor, person: Person) -> Person:
    found = Person.objects.visible_to(actor.user).filter(pk=person.pk).first()
    if found is None:
        raise NotFound()
    if found.status != ResidentStatus.LIVING:
        raise Conflict(
            _("Only a resident living here can be put on the roster."), code="not_living"
        )
    return found


def _entry(actor: Actor, entry: RosterEntry) -> RosterEntry:
    """Re-read and lock an entry inside the actor's scope."""
    require_health_duty(actor)
    found = (
        RosterEntry.objects.visible_to(actor.user).select_for_update().filter(pk=entry.pk).first()
    )
    if found is None:
        raise NotFound()
    return found


def _create(
    actor: Actor,
    *,
    person: Person,
    method: str,
    start_date: dt.date,
    point: DistributionPoint | None,
    notes: str,
) -> RosterEntry:
    try:
        with transaction.atomic():
            entry = RosterEntry.objects.create(
                person=person,
                method=method,
                start_date=start_date,
                point=point,
                notes=notes or None,
                enrolled_by=actor.user,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This person is already on the roster for this method."), code="already_enrolled"
        ) from exc
    audit.record(action=Action.CREATE, actor=actor, obj=entry, detail={"method": method})
    return entry


def roster_enroll(
    *,
    actor: Actor,
    person: Person,
    method: str,
    start_date: dt.date,
    point: DistributionPoint | None = None,
    notes: str = "",
) -> RosterEntry:
    """Put a resident on the roster for one method (at most one open entry per method)."""
    require_health_duty(actor)
    if method not in Method.values:
        raise JishengError(_("Choose a method."), code="method")
    check_date(start_date)
    notes = check_text(notes, limit=NOTES_LENGTH)
    with transaction.atomic():
        found = _person(actor, person)
        if point is not None and point.org_unit_id not in actor.user.scope_unit_ids():
            raise NotFound()
        return _create(
            actor, person=found, method=method, start_date=start_date, point=point, notes=notes
        )


def roster_ensure_for_issue(
    *,
    actor: Actor,
    person: Person,
    method: str,
    start_date: dt.date,
    point: DistributionPoint,
) -> RosterEntry:
    """The person's open entry for ``method``, enrolled now if there is none (the caller
    has checked the person and holds the transaction)."""
    open_entry = RosterEntry.objects.filter(
        person=person, method=method, stop_date__isnull=True
    ).first()
    if open_entry is not None:
        return open_entry
    return _create(
        actor, person=person, method=method, start_date=start_date, point=point, notes=""
    )


def roster_stop(
    *, actor: Actor, entry: RosterEntry, stop_date: dt.date, reason: str
) -> RosterEntry:
    """End the use of a method with a reason; the entry stays on record."""
    check_date(stop_date)
    if reason not in StopReason.values:
        raise JishengError(_("Give the reason for stopping."), code="stop_reason")
    with transaction.atomic():
        found = _entry(actor, entry)
        _close(actor, found, stop_date=stop_date, reason=reason)
        return found


def _close(actor: Actor, entry: RosterEntry, *, stop_date: dt.date, reason: str) -> None:
    if entry.stop_date is not None:
        raise Conflict(_("This method has already been stopped."), code="already_stopped")
    if stop_date < entry.start_date:
        raise JishengError(_("The stop date lies before the start date."), code="stop_date")
    entry.stop_date = stop_date
    entry.stop_reason = reason
    entry.save(update_fields=["stop_date", "stop_reason"])
    audit.record(action=Action.UPDATE, actor=actor, obj=entry, detail={"stop_reason": reason})


def roster_follow_up_record(
    *,
    actor: Actor,
    entry: RosterEntry,
    date: dt.date,
    satisfaction: str,
    side_effects: str = "",
    notes: str = "",
    switch_to: str = "",
) -> RosterFollowUp:
    """A follow-up of an open entry. ``switch_to`` records a change of method: this entry
    stops (reason: changed method) and the person is enrolled on the new one."""
    check_date(date)
    if satisfaction not in Satisfaction.values:
        raise JishengError(_("Choose how satisfied the person is."), code="satisfaction")
    if switch_to and switch_to not in Method.values:
        raise JishengError(_("Choose a method."), code="method")
    side_effects = check_text(side_effects, limit=NOTES_LENGTH)
    notes = check_text(notes, limit=NOTES_LENGTH)
    with transaction.atomic():
        found = _entry(actor, entry)
        if found.stop_date is not None:
            raise Conflict(_("This method has already been stopped."), code="already_stopped")
        if date < found.start_date:
            raise JishengError(_("The follow-up lies before the start date."), code="date")
        if switch_to == found.method:
            raise JishengError(_("The person already uses this method."), code="method")
        follow_up = RosterFollowUp.objects.create(
            entry=found,
            date=date,
            satisfaction=satisfaction,
            side_effects=side_effects or None,
            notes=notes or None,
            switched_to=switch_to,
            recorded_by=actor.user,
        )
        audit.record(
            action=Action.CREATE,
            actor=actor,
            obj=follow_up,
            detail={"entry": found.pk, "switched_to": switch_to},
        )
        if switch_to:
            _close(actor, found, stop_date=date, reason=StopReason.CHANGED_METHOD)
            _create(
                actor,
                person=found.person,
                method=switch_to,
                start_date=date,
                point=found.point,
                notes="",
            )
        return follow_up
