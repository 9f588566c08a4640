"""What every service of this module starts with: the couple locked in scope (after the health
duty is checked), and the couple's state recomputed from its records after a change."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.core.lookups import locked_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.prepregnancy import rules
from jisheng.prepregnancy.models import CoupleState, Outcome, TargetCouple
from jisheng.registry.models import LifeEvent, Marriage, Person, ResidentStatus


def couple_locked(actor: Actor, couple: TargetCouple | int) -> TargetCouple:
    """The couple re-read inside the actor's scope and locked for the change; 403 without a
    health duty, 404 outside the scope."""
    require(actor, Capability.VIEW_HEALTH)
    return locked_or_404(
        TargetCouple.objects.select_related("husband", "wife", "community"),
        user=actor.user,
        pk=couple if isinstance(couple, int) else couple.pk,
    )


def require_served(couple: TargetCouple) -> None:
    """Refuse work on a couple that has moved away or whose marriage has ended."""
    if couple.state in rules.CLOSED_STATES:
        raise Conflict(
            _("This couple is no longer served here (moved out or marriage ended)."),
            code="couple_closed",
        )


def couple_facts(couple: TargetCouple) -> rules.CoupleFacts:
    """Everything the couple's state depends on, read from its records and the registry."""
    statuses = set(
        Person.objects.filter(pk__in=[couple.husband_id, couple.wife_id]).values_list(
            "status", flat=True
        )
    )
    marriage_end = (
        Marriage.objects.filter(pk=couple.marriage_id).values_list("end_date", flat=True).first()
        if couple.marriage_id is not None
        else None
    )
    marriage_gone = couple.marriage_id is None or marriage_end is not None
    # Outcomes are encrypted: read the couple's few pregnancies and decide here, not in SQL.
    pregnancies = list(couple.pregnancies.only("pk", "couple_id", "closed", "outcome"))
    return rules.CoupleFacts(
        open_pregnancy=any(p.is_open for p in pregnancies),
        outcome_recorded=any(p.closed and p.outcome != Outcome.NOT_CONFIRMED for p in pregnancies),
        checked=frozenset(couple.checkups.values_list("spouse", flat=True)),
        ended=marriage_gone or bool(statuses & {ResidentStatus.DECEASED, ResidentStatus.VOIDED}),
        moved_out=ResidentStatus.MOVED_OUT in statuses,
        contact_outcomes=tuple(
            couple.contacts.order_by("date", "pk").values_list("outcome", flat=True)
        ),
    )


def _latest_event(kind: str, person_id: int) -> dt.date | None:
    return (
        LifeEvent.objects.filter(kind=kind, person_id=person_id, reversed_by__isnull=True)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def closing_date(couple: TargetCouple, state: str, today: dt.date) -> dt.date:
    """The day a file closed: the registry event behind ``state`` (the first spouse's
    move-out, the divorce or the death), else ``today``; never later than today."""
    statuses = dict(
        Person.objects.filter(pk__in=[couple.husband_id, couple.wife_id]).values_list(
            "pk", "status"
        )
    )
    dates: list[dt.date | None] = []
    if state == CoupleState.MOVED_OUT:
        dates = [
            _latest_event(LifeEvent.Kind.MOVE_OUT, pk)
            for pk, status in statuses.items()
            if status == ResidentStatus.MOVED_OUT
        ]
    elif state == CoupleState.ENDED:
        if couple.marriage_id is not None:
            dates.append(
                Marriage.objects.filter(pk=couple.marriage_id)
                .values_list("end_date", flat=True)
                .first()
            )
        dates += [
            _latest_event(LifeEvent.Kind.DEATH, pk)
            for pk, status in statuses.items()
            if status == ResidentStatus.DECEASED
        ]
    known = [day for day in dates if day is not None]
    return min([*known, today]) if known else today


def couple_refresh_state(couple: TargetCouple) -> bool:
    """Store the state the records imply; True when it changed. A file that closes gets
    its ``closed_on`` date, one that reopens loses it."""
    state = rules.couple_state(couple_facts(couple))
    closed_on = couple.closed_on
    if state in rules.CLOSED_STATES:
        if couple.state not in rules.CLOSED_STATES or closed_on is None:
            closed_on = closing_date(couple, state, timezone.localdate())
    else:
        closed_on = None
    if (state, closed_on) == (couple.state, couple.closed_on):
        return False
    couple.state, couple.closed_on = state, closed_on
    couple.save(update_fields=["state", "closed_on", "updated_at"])
    return True
