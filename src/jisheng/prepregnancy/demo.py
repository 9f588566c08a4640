"""Demo records for the demo street: service files of its recently married (and some
planning) couples at every stage, with contacts, checkups, referrals, pregnancies and
follow-ups that look like a year of work.

Written with bulk inserts (a few thousand rows, seconds for 20,000 residents); every row
satisfies what the services would have enforced, and each couple's state is computed by
the same rule the services use.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from jisheng.accounts.models import User
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.prepregnancy import health, rules
from jisheng.prepregnancy.models import (
    Checkup,
    Contact,
    ContactMethod,
    ContactOutcome,
    CoupleSource,
    FollowUp,
    FollowUpKind,
    Outcome,
    Pregnancy,
    Referral,
    RiskLevel,
    SmsOptOut,
    TargetCouple,
    TaskState,
)
from jisheng.registry.models import Marriage, ResidentStatus

INSTITUTIONS = ("峄城区妇幼保健计划生育服务中心", "峄城区人民医院", "坛山街道社区卫生服务中心")
PLANNING_SHARE = 0.04  # of older marriages with a young wife, marked as planning
HIGH_RISK_SHARE = 0.15
DAY = dt.timedelta(days=1)


@dataclass
class _Plan:
    """One couple's generated history, before it is written."""

    couple: TargetCouple
    contacts: list[Contact] = field(default_factory=list)
    checkups: list[Checkup] = field(default_factory=list)
    pregnancy: Pregnancy | None = None
    followups: list[FollowUp] = field(default_factory=list)


def _workers(street: OrgUnit) -> tuple[dict[int, User], User | None]:
    """A community worker per community where there is one, and a street fallback."""
    users = User.objects.filter(
        Q(org_unit__parent=street) | Q(org_unit=street), is_active=True
    ).prefetch_related("roles")
    per_unit: dict[int, User] = {}
    fallback = None
    for user in users.order_by("pk"):
        if Role.COMMUNITY_WORKER in user.role_set and user.org_unit_id is not None:
            per_unit.setdefault(user.org_unit_id, user)
        elif Role.STREET_STAFF in user.role_set and fallback is None:
            fallback = user
    return per_unit, fallback


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def _checkup(plan: _Plan, spouse: str, when: dt.date, worker: User, rng: random.Random) -> Checkup:
    couple = plan.couple
    high = rng.random() < HIGH_RISK_SHARE
    results = {"blood_type": rng.choice(("A", "B", "O", "AB")), "rh": "positive"}
    results["hbsag"] = "positive" if high and rng.random() < 0.4 else "negative"
    results["syphilis"] = "negative"
    factors: list[str] = []
    if spouse == "wife":
        results["rubella_igg"] = "negative" if high and rng.random() < 0.5 else "positive"
        results["toxoplasma_igm"] = "negative"
        results["cmv_igm"] = "negative"
        results["ultrasound"] = "normal"
        if results["rubella_igg"] == "negative":
            factors.append("rubella_susceptible")
    if results["hbsag"] == "positive":
        factors.append("hepatitis_b")
    if high and not factors:
        factors.append(rng.choice(["hypertension", "abnormal_bmi", "smoking", "toxic_exposure"]))
    items = ["education", "history", "physical", "laboratory", "risk_assessment", "counselling"]
    if spouse == "wife":
        items.append("ultrasound")
    history = health.ReproductiveHistory() if spouse == "wife" else None
    return Checkup(
        couple=couple,
        person_id=couple.wife_id if spouse == "wife" else couple.husband_id,
        spouse=spouse,
        institution=rng.choice(INSTITUTIONS),
        date=when,
        items=sorted(items),
        results=health.dump(results),
        reproductive_history=health.dump(history) if history else None,
        risk_level=RiskLevel.HIGH if high else RiskLevel.GENERAL,
        risk_factors=health.dump({"codes": sorted(set(factors)), "note": ""}),
        advice="孕前3个月起每日补充叶酸0.4毫克。" + ("请按期转诊复查。" if high else ""),
        recorded_by=worker,
    )


def _history(plan: _Plan, today: dt.date, worker: User, rng: random.Random) -> None:
    """What happened to one couple since it became a target, in date order."""
    couple = plan.couple
    start = couple.entered_on
    elapsed = (today - start).days
    if elapsed < 3 or rng.random() < 0.15:
        return  # not reached yet
    contact_day = start + _days(rng, 1, min(20, elapsed - 1))
    if rng.random() < 0.15:
        plan.contacts.append(
            Contact(
                couple=couple,
                method=ContactMethod.PHONE,
                outcome=ContactOutcome.NOT_REACHED,
                date=contact_day,
                worker=worker,
            )
        )
        contact_day = min(today, contact_day + _days(rng, 1, 7))
    declined = rng.random() < 0.07
    appointment = contact_day + _days(rng, 3, 21)
    plan.contacts.append(
        Contact(
            couple=couple,
            method=rng.choice(
                [ContactMethod.HOME_VISIT, ContactMethod.PHONE, ContactMethod.LETTER]
            ),
            outcome=(
                ContactOutcome.DECLINED
                if declined
                else ContactOutcome.APPOINTMENT
                if appointment <= today
                else ContactOutcome.REACHED
            ),
            date=contact_day,
            appointment_date=appointment if not declined and appointment <= today else None,
            worker=worker,
        )
    )
    if declined or appointment > today or rng.random() < 0.1:
        return
    plan.checkups.append(_checkup(plan, "wife", appointment, worker, rng))
    if rng.random() < 0.8:
        plan.checkups.append(
            _checkup(plan, "husband", min(today, appointment + _days(rng, 0, 10)), worker, rng)
        )
    conceived = appointment + _days(rng, 60, 240)
    if conceived > today - 35 * DAY or rng.random() < 0.5:
        return
    reported = min(today, conceived + _days(rng, 30, 50))
    last_period = conceived - 14 * DAY
    pregnancy = Pregnancy(
        couple=couple,
        woman=couple.wife,
        community=couple.community,
        reported_on=reported,
        last_period=last_period,
        expected_on=rules.expected_delivery(last_period),
        reported_by=worker,
    )
    plan.pregnancy = pregnancy
    early_due = rules.early_followup_due(reported_on=reported, last_period=last_period)
    early = FollowUp.of(
        pregnancy,
        couple=couple,
        kind=FollowUpKind.EARLY,
        due_date=early_due,
        assignee=worker,
    )
    plan.followups.append(early)
    seen = reported + _days(rng, 3, 40)
    if seen > today or rng.random() < 0.15:
        return  # still open (some overdue)
    early.state, early.done_on, early.done_by = TaskState.DONE, seen, worker
    early.findings = health.dump(
        health.EarlyFindings(weeks=(seen - last_period).days // 7, folic_acid=True)
    )
    outcome_due = rules.outcome_followup_due(last_period)
    outcome = FollowUp.of(
        pregnancy,
        couple=couple,
        kind=FollowUpKind.OUTCOME,
        due_date=outcome_due,
        assignee=worker,
    )
    plan.followups.append(outcome)
    kind = rng.choices(
        [Outcome.LIVE_BIRTH, Outcome.PRETERM, Outcome.MISCARRIAGE, Outcome.INDUCED],
        weights=[85, 7, 6, 2],
    )[0]
    if kind in (Outcome.MISCARRIAGE, Outcome.INDUCED):
        ended = max(seen + 7 * DAY, last_period + _days(rng, 60, 110))
    elif kind == Outcome.PRETERM:
        ended = last_period + _days(rng, 230, 258)
    else:
        ended = last_period + _days(rng, 259, 287)
    visit = ended + _days(rng, 7, 50)
    if visit > today:
        return
    outcome.state, outcome.done_on, outcome.done_by = TaskState.DONE, visit, worker
    details = health.OutcomeDetails(weeks=(ended - last_period).days // 7)
    outcome.findings = health.dump(details)
    pregnancy.closed, pregnancy.expected_on = True, None
    pregnancy.outcome, pregnancy.outcome_date = kind, ended
    pregnancy.outcome_details = health.dump(details)


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """Create the demo street's pre-pregnancy records (once: does nothing if it has some)."""
    communities = list(OrgUnit.objects.filter(parent=street).values_list("pk", flat=True))
    if TargetCouple.objects.filter(community__in=communities).exists():
        return
    workers, fallback = _workers(street)
    first, _last = rules.marriage_window(today, rules.marriage_window_days())
    marriages = list(
        Marriage.objects.filter(
            end_date__isnull=True,
            wife__community__in=communities,
            wife__status=ResidentStatus.LIVING,
            husband__status=ResidentStatus.LIVING,
            date__lte=today,
        )
        .filter(Q(date__gte=first) | Q(wife__birth_date__gt=today - dt.timedelta(days=365 * 38)))
        .values_list("pk", "husband_id", "wife_id", "wife__community_id", "date")
        .order_by("pk")
    )
    plans: list[_Plan] = []
    for marriage_id, husband_id, wife_id, community_id, married in marriages:
        planning = married < first
        if planning and rng.random() >= PLANNING_SHARE:
            continue
        worker = workers.get(community_id, fallback)
        if worker is None:
            continue
        entered = today - _days(rng, 0, 700) if planning else married
        couple = TargetCouple(
            community_id=community_id,
            husband_id=husband_id,
            wife_id=wife_id,
            marriage_id=marriage_id,
            source=CoupleSource.PLANNING if planning else CoupleSource.NEW_MARRIAGE,
            entered_on=entered,
            planning_since=entered if planning else None,
            created_by=worker,
        )
        plan = _Plan(couple=couple)
        _history(plan, today, worker, rng)
        couple.last_contact = max((c.date for c in plan.contacts), default=None)
        couple.state = rules.couple_state(
            rules.CoupleFacts(
                open_pregnancy=plan.pregnancy is not None and not plan.pregnancy.closed,
                outcome_recorded=plan.pregnancy is not None and plan.pregnancy.closed,
                checked=frozenset(c.spouse for c in plan.checkups),
                contact_outcomes=tuple(c.outcome for c in plan.contacts),
            )
        )
        plans.append(plan)
    with transaction.atomic():
        TargetCouple.objects.bulk_create([p.couple for p in plans], batch_size=500)
        # The rows hold their (now saved) couple: bulk_create below takes the new keys.
        Contact.objects.bulk_create([c for p in plans for c in p.contacts], batch_size=500)
        checkups = Checkup.objects.bulk_create(
            [c for p in plans for c in p.checkups], batch_size=500
        )
        referrals = []
        for checkup in checkups:
            if checkup.risk_level != RiskLevel.HIGH:
                continue
            due = rules.referral_due(checkup.date)
            done = due <= today and rng.random() < 0.7
            referrals.append(
                Referral.of(
                    checkup,
                    due_date=due,
                    assignee=checkup.recorded_by,
                    state=TaskState.DONE if done else TaskState.OPEN,
                    completed_on=checkup.date + _days(rng, 5, 29) if done else None,
                    completed_by=checkup.recorded_by if done else None,
                    result="已转诊至区妇幼保健院复查，可计划怀孕。" if done else None,
                )
            )
        Referral.objects.bulk_create(referrals, batch_size=500)
        Pregnancy.objects.bulk_create(
            [p.pregnancy for p in plans if p.pregnancy is not None], batch_size=500
        )
        # Each follow-up holds its (now saved) pregnancy: bulk_create takes the new keys.
        FollowUp.objects.bulk_create([f for p in plans for f in p.followups], batch_size=500)
        opted_out = {p.couple.husband_id: p.couple.created_by for p in plans if rng.random() < 0.03}
        SmsOptOut.objects.bulk_create(
            [
                SmsOptOut(person_id=person_id, recorded_by=worker)
                for person_id, worker in opted_out.items()
                if worker is not None
            ],
            batch_size=500,
        )
