"""Following any woman's pregnancy in scope from its report to its outcome (孕情随访).

Pre-pregnancy opens pregnancies of its target couples; these services open one for any woman
the user serves (registered here or floating in: ``Person.is_floating``), reported by the
community or a clinic, and record the outcome of either kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.lookups import locked_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.governance.models import (
    TERMINATION_REVIEW_WEEKS,
    ReviewState,
    Termination,
    TerminationSource,
)
from jisheng.prepregnancy import health, rules
from jisheng.prepregnancy.models import (
    FollowUp,
    FollowUpKind,
    Outcome,
    Pregnancy,
    PregnancySource,
    TaskState,
)
from jisheng.prepregnancy.models.pregnancies import LIVE_OUTCOMES
from jisheng.prepregnancy.services.common import couple_refresh_state
from jisheng.registry.models import LifeEvent, Person, ResidentStatus, Sex
from jisheng.registry.selectors import lifetime

# A last period further back than this is not a current pregnancy (as in pre-pregnancy).
MAX_GESTATION_DAYS = 300
# The middle-pregnancy visit (孕中期随访): at 28 weeks.
MIDDLE_FOLLOWUP_DAYS = 28 * 7
REPORT_SOURCES = (PregnancySource.COMMUNITY, PregnancySource.CLINIC)
# Outcomes governance records (not "not confirmed": that is the early visit's finding).
OUTCOMES = (
    Outcome.LIVE_BIRTH,
    Outcome.PRETERM,
    Outcome.BIRTH_DEFECT,
    Outcome.STILLBIRTH,
    Outcome.MISCARRIAGE,
    Outcome.INDUCED,
)


# Ages (whole years at the last period) at which a pregnancy can be recorded at all.
CHILDBEARING_AGES = (12, 55)


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def followup_schedule(last_period: dt.date, reported_on: dt.date) -> dict[str, dt.date]:
    """When each visit falls due, by gestation: early at 12 weeks, middle at 28 weeks, the
    outcome 42 days after the expected date; none before the report."""
    return {
        FollowUpKind.EARLY: rules.early_followup_due(
            reported_on=reported_on, last_period=last_period
        ),
        FollowUpKind.MIDDLE: max(
            last_period + dt.timedelta(days=MIDDLE_FOLLOWUP_DAYS), reported_on
        ),
        FollowUpKind.OUTCOME: max(rules.outcome_followup_due(last_period), reported_on),
    }


@transaction.atomic
def pregnancy_open(
    *,
    actor: Actor,
    woman: Person,
    reported_on: dt.date,
    last_period: dt.date,
    source: str = PregnancySource.COMMUNITY,
) -> Pregnancy:
    """A woman in the user's area is pregnant: open the pregnancy, served by the community she
    lives in, with its follow-ups scheduled by gestation."""
    require(actor, Capability.VIEW_HEALTH)
    if source not in REPORT_SOURCES:
        raise JishengError(_("Choose who reported the pregnancy."), code="invalid_source")
    woman = locked_or_404(Person, user=actor.user, pk=woman.pk)
    if woman.sex != Sex.FEMALE:
        raise JishengError(_("Only a woman can be pregnant."), code="not_a_woman")
    if woman.status != ResidentStatus.LIVING:
        raise Conflict(_("She no longer lives here."), code="not_living")
    life = lifetime(woman)
    possible_date(reported_on, life)
    possible_date(last_period, life)
    age = _age_on(woman.birth_date, last_period)
    if not CHILDBEARING_AGES[0] <= age <= CHILDBEARING_AGES[1]:
        # A typing slip (the wrong woman, a wrong date) far more often than a real case.
        raise JishengError(
            _(
                "She was %(age)d at her last period: outside the ages at which a pregnancy "
                "is possible (%(low)d to %(high)d). Check the woman and the date."
            )
            % {"age": age, "low": CHILDBEARING_AGES[0], "high": CHILDBEARING_AGES[1]},
            code="implausible_age",
        )
    if not reported_on - dt.timedelta(days=MAX_GESTATION_DAYS) <= last_period <= reported_on:
        raise JishengError(
            _("The last period lies after the report or too long before it."),
            code="invalid_last_period",
        )
    if Pregnancy.objects.filter(woman=woman, closed=False).exists():
        raise Conflict(_("A pregnancy of this woman is already open."), code="already_pregnant")
    try:
        with transaction.atomic():
            pregnancy = Pregnancy.objects.create(
                woman=woman,
                community_id=woman.community_id,
                source=source,
                reported_on=reported_on,
                last_period=last_period,
                expected_on=rules.expected_delivery(last_period),
                reported_by=actor.user,
            )
    except IntegrityError as exc:  # a second submit racing the first
        raise Conflict(
            _("A pregnancy of this woman is already open."), code="already_pregnant"
        ) from exc
    for kind, due in followup_schedule(last_period, reported_on).items():
        FollowUp.of(pregnancy, kind=kind, due_date=due, assignee=actor.user).save(force_insert=True)
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=pregnancy,
        detail={"woman": woman.pk, "source": source, "floating": woman.is_floating},
    )
    return pregnancy


@dataclass(frozen=True)
class OutcomeData:
    """How a pregnancy ended: a live birth's sex, weight, order and hospital; a
    termination's weeks, medical reason, certifying institution and certificate."""

    outcome: str
    outcome_date: dt.date
    sex: str = ""
    weight_g: int | None = None
    birth_order: int | None = None
    hospital: str = ""
    weeks: int | None = None
    medical_reason: str = ""
    institution: str = ""
    certificate: str = ""
    note: str = ""

    def check(self) -> None:
        """Refuse details that contradict the outcome or lie out of range."""
        refuse = _refuse
        if self.outcome not in OUTCOMES:
            raise refuse(_("Choose the outcome of the pregnancy."), "invalid_outcome")
        live = self.outcome in LIVE_OUTCOMES
        if live and self.sex not in (Sex.MALE, Sex.FEMALE):
            raise refuse(_("Give the sex of the child born alive."), "missing_sex")
        if self.weight_g is not None and not 200 <= self.weight_g <= 7000:
            raise refuse(_("Birth weight lies between 200 and 7000 grams."), "invalid_weight")
        if self.birth_order is not None and not 1 <= self.birth_order <= 20:
            raise refuse(_("Birth order lies between 1 and 20."), "invalid_birth_order")
        if self.weeks is not None and not 4 <= self.weeks <= 45:
            raise refuse(
                _("Weeks of pregnancy at the outcome lie between 4 and 45."), "invalid_weeks"
            )
        if self.outcome == Outcome.INDUCED:
            if self.weeks is None:
                raise refuse(_("Give the weeks of pregnancy at the termination."), "missing_weeks")
            if self.weeks >= TERMINATION_REVIEW_WEEKS and not (
                self.institution and self.certificate
            ):
                raise refuse(
                    _(
                        "A termination at 14 weeks or more needs the certifying institution "
                        "and the certificate reference."
                    ),
                    "missing_certificate",
                )
        longest = max(len(self.hospital), len(self.institution), len(self.certificate))
        if longest > 100 or len(self.medical_reason) > 500 or len(self.note) > 500:
            raise refuse(_("The description is too long."), "too_long")

    def details(self) -> dict[str, object]:
        """What is kept (encrypted) beside the outcome: the fields that apply to it."""
        data = asdict(self)
        del data["outcome"], data["outcome_date"]
        return {key: value for key, value in data.items() if value not in ("", None)}


def _refuse(message: str, code: str) -> JishengError:
    return JishengError(message, code=code)


def _termination(actor: Actor, pregnancy: Pregnancy, data: OutcomeData) -> Termination | None:
    if data.outcome != Outcome.INDUCED or (data.weeks or 0) < TERMINATION_REVIEW_WEEKS:
        return None
    if Termination.objects.filter(
        institution=data.institution, certificate=data.certificate
    ).exists():
        raise Conflict(
            _("This certificate is already recorded for another termination."),
            code="certificate_recorded",
        )
    termination = Termination.objects.create(
        woman_id=pregnancy.woman_id,
        community_id=pregnancy.community_id,
        pregnancy=pregnancy,
        performed_on=data.outcome_date,
        weeks=str(data.weeks),
        medical_reason=data.medical_reason,
        institution=data.institution,
        certificate=data.certificate,
        source=TerminationSource.OUTCOME,
        review=ReviewState.NOT_NEEDED if data.medical_reason else ReviewState.PENDING,
        recorded_by=actor.user,
    )
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=termination,
        detail={"pregnancy": pregnancy.pk, "review": termination.review},
    )
    return termination


@transaction.atomic
def pregnancy_outcome_record(
    *,
    actor: Actor,
    pregnancy: Pregnancy,
    data: OutcomeData,
    done_on: dt.date,
    birth_event: LifeEvent | None = None,
) -> Pregnancy:
    """Record how an open pregnancy ended and close it: its outcome visit is done, a
    termination at 14 weeks or more is recorded (for street review without a medical
    reason), a live birth may name the registry's birth."""
    require(actor, Capability.VIEW_HEALTH)
    data.check()
    found = locked_or_404(
        Pregnancy.objects.select_related("woman"), user=actor.user, pk=pregnancy.pk
    )
    if found.closed:
        raise Conflict(_("The outcome of this pregnancy is already recorded."), code="closed")
    life = lifetime(found.woman)
    possible_date(done_on, life)
    possible_date(data.outcome_date, life)
    if data.outcome_date > done_on or data.outcome_date < found.reported_on - dt.timedelta(
        days=MAX_GESTATION_DAYS
    ):
        raise JishengError(
            _("The outcome date lies after the visit or before the pregnancy."),
            code="invalid_date",
        )
    if birth_event is not None:
        if data.outcome not in LIVE_OUTCOMES:
            raise JishengError(
                _("Only a live birth links to a registered birth."), code="not_a_birth"
            )
        linked = (
            LifeEvent.objects.visible_to(actor.user)
            .filter(
                pk=birth_event.pk,
                kind=LifeEvent.Kind.BIRTH,
                other_person_id=found.woman_id,
                reversed_by__isnull=True,
            )
            .first()
        )
        if linked is None:
            raise JishengError(
                _("Choose a registered birth of this mother."), code="invalid_birth_event"
            )
        if Pregnancy.objects.filter(birth_event=linked).exists():
            raise Conflict(_("This birth is linked to another pregnancy."), code="birth_linked")
        found.birth_event = linked
    found.closed, found.expected_on = True, None
    found.outcome, found.outcome_date = data.outcome, data.outcome_date
    found.outcome_details = health.dump(data.details())
    found.save(
        update_fields=[
            "closed",
            "expected_on",
            "outcome",
            "outcome_date",
            "outcome_details",
            "birth_event",
        ]
    )
    visit = found.followups.filter(kind=FollowUpKind.OUTCOME, state=TaskState.OPEN).first()
    if visit is not None:
        visit.state, visit.done_on, visit.done_by = TaskState.DONE, done_on, actor.user
        visit.findings = health.dump(data.details())
        visit.save(update_fields=["state", "done_on", "done_by", "findings"])
    # Earlier visits still open stay as they are (not made); the governance worklist shows
    # visits of open pregnancies only.
    termination = _termination(actor, found, data)
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=found,
        detail={
            "closed": True,
            "birth_event": found.birth_event_id,
            "termination": termination.pk if termination else None,
        },
    )
    if found.couple is not None:
        couple_refresh_state(found.couple)
    return found
