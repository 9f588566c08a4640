"""What every service of this module starts with: the health duty, the couple locked in scope,
and the couple's state recomputed from its records after a change."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.accounts.roles import Capability
from jisheng.audit.services import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.prepregnancy import rules
from jisheng.prepregnancy.models import Outcome, TargetCouple
from jisheng.registry.models import Marriage, Person, ResidentStatus


def require_health(actor: Actor) -> None:
    """Only roles with a health duty touch this module's records."""
    if not actor.user.has_capability(Capability.VIEW_HEALTH):
        raise Forbidden()


def couple_locked(actor: Actor, couple: TargetCouple | int) -> TargetCouple:
    """The couple re-read inside the actor's scope and locked for the change; 404 outside."""
    require_health(actor)
    pk = couple if isinstance(couple, int) else couple.pk
    found = (
        TargetCouple.objects.visible_to(actor.user)
        .select_for_update(of=("self",))
        .select_related("husband", "wife", "community")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def require_served(couple: TargetCouple) -> None:
    """Refuse work on a couple that has moved away or whose marriage has ended."""
    if couple.state in rules.CLOSED_STATES:
        raise Conflict(
            _("This couple is no longer served here (moved out or marriage ended)."),
            code="couple_closed",
        )


def require_past(date: dt.date) -> None:
    if date > timezone.localdate():
        raise JishengError(_("The date lies in the future."), code="future_date")


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
    pregnancies = set(couple.pregnancies.values_list("outcome", flat=True))
    return rules.CoupleFacts(
        open_pregnancy="" in pregnancies,
        outcome_recorded=bool(pregnancies - {"", Outcome.NOT_CONFIRMED}),
        checked=frozenset(couple.checkups.values_list("spouse", flat=True)),
        ended=marriage_gone or bool(statuses & {ResidentStatus.DECEASED, ResidentStatus.VOIDED}),
        moved_out=ResidentStatus.MOVED_OUT in statuses,
        contact_outcomes=tuple(
            couple.contacts.order_by("date", "pk").values_list("outcome", flat=True)
        ),
    )


def couple_refresh_state(couple: TargetCouple) -> bool:
    """Store the state the records imply; True when it changed."""
    state = rules.couple_state(couple_facts(couple))
    if state == couple.state:
        return False
    couple.state = state
    couple.save(update_fields=["state", "updated_at"])
    return True
