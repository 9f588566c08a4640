"""The roster: enrolling a person on a method, follow-ups, stopping or switching methods.

Audit details carry IDs and counts only: which method a person uses, why they stopped and
what they switched to are reproductive data, and the audit trail is read and exported by
the security auditor. Notes and side effects never leave the encrypted columns.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.models import (
    DistributionPoint,
    Method,
    MoveKind,
    RosterEntry,
    RosterFollowUp,
    Satisfaction,
    StockMove,
    StopReason,
)
from jisheng.contraceptives.services.access import check_date, check_text
from jisheng.contraceptives.services.sense import require_method_possible
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.selectors import lifetime

NOTES_LENGTH = 2000


def _person(actor: Actor, person: Person) -> Person:
    found = visible_or_404(Person, user=actor.user, pk=person.pk)
    if found.status != ResidentStatus.LIVING:
        raise Conflict(
            _("Only a resident living here can be put on the roster."), code="not_living"
        )
    return found


def _insert(
    actor: Actor,
    *,
    person: Person,
    method: str,
    start_date: dt.date,
    point: DistributionPoint | None,
    notes: str,
    first_supply: StockMove | None = None,
) -> RosterEntry:
    """Insert an open entry; IntegrityError if the person already has one for ``method``."""
    with transaction.atomic():
        # The person's row is locked while its community and name are copied: a move or
        # its reversal committing in between would otherwise leave the copy stale.
        community_id, name = (
            Person.objects.select_for_update()
            .filter(pk=person.pk)
            .values_list("community_id", "name")
            .get()
        )
        entry = RosterEntry.objects.create(
            person=person,
            community_id=community_id,
            person_name=name,
            method=method,
            start_date=start_date,
            point=point,
            notes=notes or None,
            enrolled_by=actor.user,
            first_supply=first_supply,
        )
    audit.record(action=Action.CREATE, actor=actor, obj=entry, detail={"person": person.pk})
    return entry


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
        return _insert(
            actor, person=person, method=method, start_date=start_date, point=point, notes=notes
        )
    except IntegrityError as exc:
        raise Conflict(
            _("This person is already on the roster for this method."), code="already_enrolled"
        ) from exc


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
    require(actor, Capability.VIEW_HEALTH)
    if method not in Method.values:
        raise JishengError(_("Choose a method."), code="method")
    check_date(start_date)
    notes = check_text(notes, limit=NOTES_LENGTH)
    with transaction.atomic():
        found = _person(actor, person)
        check_date(start_date, lifetime(found))
        require_method_possible(method, found)
        if point is not None and point.org_unit_id not in actor.user.scope_unit_ids():
            raise NotFound()
        return _create(
            actor, person=found, method=method, start_date=start_date, point=point, notes=notes
        )


def _open_entry(person: Person, method: str) -> RosterEntry | None:
    return RosterEntry.objects.filter(person=person, method=method, stop_date__isnull=True).first()


def roster_ensure_for_issue(
    *,
    actor: Actor,
    person: Person,
    method: str,
    start_date: dt.date,
    point: DistributionPoint,
    issue: StockMove,
) -> RosterEntry:
    """The person's open entry for ``method``, enrolled now (naming ``issue``) if there is
    none. The caller has checked the person and holds the transaction. Two first issues to
    one person at the same moment both succeed: the later insert finds the earlier entry."""
    open_entry = _open_entry(person, method)
    if open_entry is not None:
        return open_entry
    try:
        return _insert(
            actor,
            person=person,
            method=method,
            start_date=start_date,
            point=point,
            notes="",
            first_supply=issue,
        )
    except IntegrityError:
        # A parallel issue enrolled the person between the read and the insert.
        open_entry = _open_entry(person, method)
        if open_entry is None:
            raise
        return open_entry


def roster_undo_issue(*, actor: Actor, issue: StockMove) -> RosterEntry | None:
    """After ``issue`` was reversed: the entry it created is stopped as entered by mistake,
    unless the person has had other (unreversed) issues for that method since. Called by
    the reversal inside its transaction; the stock duty that reverses the issue suffices."""
    entry = (
        RosterEntry.objects.select_for_update()
        .filter(first_supply=issue, stop_date__isnull=True)
        .first()
    )
    if entry is None:
        return None
    other_issues = (
        StockMove.objects.filter(
            person_id=entry.person_id,
            kind=MoveKind.ISSUE,
            lot__product__category__in=Method.categories(entry.method),
            reversed_by__isnull=True,
        )
        .exclude(pk=issue.pk)
        .exists()
    )
    if other_issues:
        return None
    _close(actor, entry, stop_date=entry.start_date, reason=StopReason.ENTERED_IN_ERROR)
    return entry


def roster_stop(
    *, actor: Actor, entry: RosterEntry, stop_date: dt.date, reason: str
) -> RosterEntry:
    """End the use of a method with a reason; the entry stays on record."""
    require(actor, Capability.VIEW_HEALTH)
    check_date(stop_date)
    if reason not in StopReason.values:
        raise JishengError(_("Give the reason for stopping."), code="stop_reason")
    with transaction.atomic():
        found = locked_or_404(
            RosterEntry.objects.select_related("person"), user=actor.user, pk=entry.pk
        )
        check_date(stop_date, lifetime(found.person))
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
    audit.record(action=Action.UPDATE, actor=actor, obj=entry, detail={"stopped": True})


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
    require(actor, Capability.VIEW_HEALTH)
    check_date(date)
    if satisfaction not in Satisfaction.values:
        raise JishengError(_("Choose how satisfied the person is."), code="satisfaction")
    if switch_to and switch_to not in Method.values:
        raise JishengError(_("Choose a method."), code="method")
    side_effects = check_text(side_effects, limit=NOTES_LENGTH)
    notes = check_text(notes, limit=NOTES_LENGTH)
    with transaction.atomic():
        found = locked_or_404(
            RosterEntry.objects.select_related("person"), user=actor.user, pk=entry.pk
        )
        if found.stop_date is not None:
            raise Conflict(_("This method has already been stopped."), code="already_stopped")
        check_date(date, lifetime(found.person))
        if switch_to:
            require_method_possible(switch_to, found.person)
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
            detail={"entry": found.pk, "switched": bool(switch_to)},
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


def person_moved(person_ids: list[int]) -> None:
    """The entries of residents whose community or name changed follow them
    (``person_moved`` hook, run inside the registry's transaction)."""
    person = Person.objects.filter(pk=OuterRef("person_id"))
    RosterEntry.objects.filter(person_id__in=person_ids).update(
        community_id=Subquery(person.values("community_id")[:1]),
        person_name=Subquery(person.values("name")[:1]),
    )
