"""Pregnancies of target couples and their follow-ups (早孕随访, 妊娠结局随访)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.lookups import locked_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.prepregnancy import health, rules
from jisheng.prepregnancy.models import (
    FollowUp,
    FollowUpKind,
    Outcome,
    Pregnancy,
    TargetCouple,
    TaskState,
)
from jisheng.prepregnancy.models.pregnancies import LIVE_OUTCOMES
from jisheng.prepregnancy.services.common import (
    couple_locked,
    couple_refresh_state,
)
from jisheng.registry.models import LifeEvent
from jisheng.registry.selectors import lifetime

# A last period further back than this is not a current pregnancy.
MAX_GESTATION_DAYS = 300


@transaction.atomic
def pregnancy_report(
    *,
    actor: Actor,
    couple: TargetCouple,
    reported_on: dt.date,
    last_period: dt.date | None = None,
) -> Pregnancy:
    """The wife is pregnant: open a pregnancy and its early follow-up, due 12 weeks after the
    last period (or the report). The couple is shown as pregnant until the outcome."""
    possible_date(reported_on)
    if last_period is not None and not (
        reported_on - dt.timedelta(days=MAX_GESTATION_DAYS) <= last_period <= reported_on
    ):
        raise JishengError(
            _("The last period lies after the report or too long before it."),
            code="invalid_last_period",
        )
    couple = couple_locked(actor, couple)
    wife = lifetime(couple.wife)
    possible_date(reported_on, wife)
    if last_period is not None:
        possible_date(last_period, wife)
    if couple.state in rules.CLOSED_STATES:
        raise Conflict(
            _("This couple is no longer served here (moved out or marriage ended)."),
            code="couple_closed",
        )
    if couple.pregnancies.filter(closed=False).exists():
        raise Conflict(_("A pregnancy of this couple is already open."), code="already_pregnant")
    try:
        with transaction.atomic():
            pregnancy = Pregnancy.objects.create(
                couple=couple,
                woman_id=couple.wife_id,
                community_id=couple.community_id,
                reported_on=reported_on,
                last_period=last_period,
                expected_on=rules.expected_delivery(last_period or reported_on),
                reported_by=actor.user,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("A pregnancy of this couple is already open."), code="already_pregnant"
        ) from exc
    followup = FollowUp.of(
        pregnancy,
        couple=couple,
        kind=FollowUpKind.EARLY,
        due_date=rules.early_followup_due(reported_on=reported_on, last_period=last_period),
        assignee=actor.user,
    )
    followup.save(force_insert=True)
    audit.record(action=Action.CREATE, actor=actor, obj=pregnancy, detail={"couple": couple.pk})
    audit.record(
        action=Action.CREATE, actor=actor, obj=followup, detail={"pregnancy": pregnancy.pk}
    )
    couple_refresh_state(couple)
    return pregnancy


def _open_followup(actor: Actor, followup: FollowUp, kind: str) -> FollowUp:
    require(actor, Capability.VIEW_HEALTH)
    # A visit of a pregnancy governance follows (no couple) is recorded on its own pages.
    found = locked_or_404(
        FollowUp.objects.filter(couple__isnull=False).select_related("pregnancy", "couple"),
        user=actor.user,
        pk=followup.pk,
    )
    if found.kind != kind:
        raise JishengError(_("This is a different kind of follow-up."), code="wrong_kind")
    if found.state != TaskState.OPEN:
        raise Conflict(_("This follow-up has already been recorded."), code="already_done")
    return found


def _couple_of(followup: FollowUp) -> int:
    """The couple of a pre-pregnancy visit (``_open_followup`` finds no other kind)."""
    if followup.couple_id is None:
        raise NotFound()
    return followup.couple_id


def _done(actor: Actor, followup: FollowUp, done_on: dt.date, findings: object) -> None:
    possible_date(done_on, lifetime(followup.pregnancy.woman))
    if done_on < followup.pregnancy.reported_on:
        raise JishengError(
            _("The follow-up cannot precede the pregnancy report."), code="invalid_date"
        )
    followup.state, followup.done_on, followup.done_by = TaskState.DONE, done_on, actor.user
    followup.findings = health.dump(findings)
    followup.save(update_fields=["state", "done_on", "done_by", "findings"])
    audit.record(
        action=Action.UPDATE, actor=actor, obj=followup, detail={"pregnancy": followup.pregnancy_id}
    )


@transaction.atomic
def followup_early_record(
    *, actor: Actor, followup: FollowUp, done_on: dt.date, findings: health.EarlyFindings
) -> FollowUp:
    """Record the early-pregnancy visit. A confirmed pregnancy gets its outcome follow-up,
    due 42 days after the expected delivery; an unconfirmed one is closed."""
    findings.check()
    followup = _open_followup(actor, followup, FollowUpKind.EARLY)
    couple = couple_locked(actor, _couple_of(followup))
    _done(actor, followup, done_on, findings)
    pregnancy = followup.pregnancy
    if findings.confirmed:
        last_period = rules.estimated_last_period(
            last_period=pregnancy.last_period,
            seen_on=done_on,
            weeks=findings.weeks,
            reported_on=pregnancy.reported_on,
        )
        pregnancy.expected_on = rules.expected_delivery(last_period)
        pregnancy.save(update_fields=["expected_on"])
        outcome = FollowUp.of(
            pregnancy,
            couple=couple,
            kind=FollowUpKind.OUTCOME,
            due_date=max(rules.outcome_followup_due(last_period), done_on),
            assignee=followup.assignee,
        )
        outcome.save(force_insert=True)
        audit.record(
            action=Action.CREATE, actor=actor, obj=outcome, detail={"pregnancy": pregnancy.pk}
        )
    else:
        pregnancy.closed, pregnancy.expected_on = True, None
        pregnancy.outcome, pregnancy.outcome_date = Outcome.NOT_CONFIRMED, done_on
        pregnancy.save(update_fields=["closed", "expected_on", "outcome", "outcome_date"])
        audit.record(action=Action.UPDATE, actor=actor, obj=pregnancy, detail={"couple": couple.pk})
    couple_refresh_state(couple)
    return followup


def _check_birth_event(actor: Actor, pregnancy: Pregnancy, event: LifeEvent) -> LifeEvent:
    """A birth registered in the actor's area, of this wife, not reversed, not linked yet."""
    found = (
        LifeEvent.objects.visible_to(actor.user)
        .filter(
            pk=event.pk,
            kind=LifeEvent.Kind.BIRTH,
            other_person_id=pregnancy.woman_id,
            reversed_by__isnull=True,
        )
        .first()
    )
    if found is None:
        raise JishengError(
            _("Choose a registered birth of this mother."), code="invalid_birth_event"
        )
    if Pregnancy.objects.filter(birth_event=found).exclude(pk=pregnancy.pk).exists():
        raise Conflict(_("This birth is linked to another pregnancy."), code="birth_linked")
    return found


@transaction.atomic
def followup_outcome_record(
    *,
    actor: Actor,
    followup: FollowUp,
    done_on: dt.date,
    outcome: str,
    outcome_date: dt.date,
    details: health.OutcomeDetails,
    birth_event: LifeEvent | None = None,
) -> FollowUp:
    """Record how the pregnancy ended; a live birth may link the registry's birth event now
    or later (:func:`pregnancy_link_birth`)."""
    if outcome not in Outcome.values or outcome == Outcome.NOT_CONFIRMED:
        raise JishengError(_("Choose the outcome of the pregnancy."), code="invalid_outcome")
    details.check()
    followup = _open_followup(actor, followup, FollowUpKind.OUTCOME)
    couple = couple_locked(actor, _couple_of(followup))
    pregnancy = Pregnancy.objects.select_for_update().get(pk=followup.pregnancy_id)
    possible_date(outcome_date, lifetime(couple.wife))
    if outcome_date > done_on or outcome_date < pregnancy.reported_on - dt.timedelta(
        days=MAX_GESTATION_DAYS
    ):
        raise JishengError(
            _("The outcome date lies after the visit or before the pregnancy."),
            code="invalid_date",
        )
    if birth_event is not None:
        if outcome not in LIVE_OUTCOMES:
            raise JishengError(
                _("Only a live birth links to a registered birth."), code="not_a_birth"
            )
        pregnancy.birth_event = _check_birth_event(actor, pregnancy, birth_event)
    _done(actor, followup, done_on, details)
    pregnancy.closed, pregnancy.expected_on = True, None
    pregnancy.outcome, pregnancy.outcome_date = outcome, outcome_date
    pregnancy.outcome_details = health.dump(details)
    pregnancy.save(
        update_fields=[
            "closed",
            "expected_on",
            "outcome",
            "outcome_date",
            "outcome_details",
            "birth_event",
        ]
    )
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=pregnancy,
        detail={"couple": couple.pk, "birth_event": pregnancy.birth_event_id},
    )
    couple_refresh_state(couple)
    return followup


@transaction.atomic
def pregnancy_link_birth(*, actor: Actor, pregnancy: Pregnancy, event: LifeEvent) -> Pregnancy:
    """Link a live-birth outcome to the birth once it is registered (the registry is read,
    never changed)."""
    require(actor, Capability.VIEW_HEALTH)
    found = locked_or_404(
        Pregnancy.objects.select_related("couple"), user=actor.user, pk=pregnancy.pk
    )
    if found.outcome not in LIVE_OUTCOMES:
        raise Conflict(_("Only a live birth links to a registered birth."), code="not_a_birth")
    if found.birth_event_id is not None:
        raise Conflict(_("This pregnancy is already linked to a birth."), code="already_linked")
    found.birth_event = _check_birth_event(actor, found, event)
    try:
        with transaction.atomic():
            found.save(update_fields=["birth_event"])
    except IntegrityError as exc:
        raise Conflict(
            _("This birth is linked to another pregnancy."), code="birth_linked"
        ) from exc
    audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"birth_event": event.pk})
    return found
