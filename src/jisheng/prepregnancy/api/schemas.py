"""What the API returns: couples, contacts, checkups, referrals, pregnancies, follow-ups."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Schema

from jisheng.prepregnancy.models import (
    Contact,
    FollowUp,
    Pregnancy,
    Referral,
    TargetCouple,
    TaskState,
)


class PersonBrief(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    id_number_masked: str
    phone_masked: str
    is_floating: bool
    status: str


class CoupleOut(Schema):
    id: int
    community_id: int
    community_name: str
    husband: PersonBrief
    wife: PersonBrief
    marriage_id: int | None
    source: str
    entered_on: dt.date
    planning_since: dt.date | None
    state: str
    closed_on: dt.date | None = None
    wife_checked: bool = False
    husband_checked: bool = False
    last_contact: dt.date | None = None

    @staticmethod
    def resolve_community_name(obj: TargetCouple | dict[str, Any]) -> str:
        # A detail is assembled as a dict that already holds the name.
        return str(obj["community_name"]) if isinstance(obj, dict) else obj.community.name


class ContactOut(Schema):
    id: int
    couple_id: int
    method: str
    outcome: str
    date: dt.date
    appointment_date: dt.date | None
    note: str
    worker: str

    @staticmethod
    def resolve_worker(obj: Contact) -> str:
        return obj.worker.username


class CheckupSummary(Schema):
    id: int
    couple_id: int
    spouse: str
    person_id: int
    institution: str
    date: dt.date
    items: list[str]
    risk_level: str


class CheckupOut(CheckupSummary):
    results: dict[str, str]
    reproductive_history: dict[str, Any] | None
    risk_factors: list[str]
    risk_note: str
    advice: str
    referral_id: int | None


class ReferralOut(Schema):
    id: int
    couple_id: int
    checkup_id: int
    due_date: dt.date
    state: str
    assignee: str
    completed_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_assignee(obj: Referral) -> str:
        return obj.assignee.username

    @staticmethod
    def resolve_overdue(obj: Referral) -> bool:
        return obj.state == TaskState.OPEN and obj.due_date < timezone.localdate()


class FollowUpOut(Schema):
    id: int
    couple_id: int
    pregnancy_id: int
    kind: str
    due_date: dt.date
    state: str
    assignee: str
    done_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_assignee(obj: FollowUp) -> str:
        return obj.assignee.username

    @staticmethod
    def resolve_overdue(obj: FollowUp) -> bool:
        return obj.state == TaskState.OPEN and obj.due_date < timezone.localdate()


class PregnancyOut(Schema):
    id: int
    couple_id: int
    reported_on: dt.date
    last_period: dt.date | None
    outcome: str
    outcome_date: dt.date | None
    birth_event_id: int | None
    followups: list[FollowUpOut]

    @staticmethod
    def resolve_outcome(obj: Pregnancy) -> str:
        return obj.outcome or ""

    @staticmethod
    def resolve_followups(obj: Pregnancy) -> list[FollowUp]:
        return list(
            obj.followups.select_related("assignee").defer("findings").order_by("due_date", "pk")
        )


class CoupleDetail(CoupleOut):
    contacts: list[ContactOut]
    checkups: list[CheckupSummary]
    referrals: list[ReferralOut]
    pregnancies: list[PregnancyOut]
    sms_opted_out: list[str]
    sms_recipients: int


class RefreshOut(Schema):
    created: int
    updated: int
    first_day: dt.date
    last_day: dt.date


class IndicatorRowOut(Schema):
    community_id: int | None
    community_name: str
    counts: dict[str, int]
    rates: dict[str, float | None]


class RiskFactorOut(Schema):
    id: int
    code: str
    name: str
    category: str
    applies_to: str
    active: bool
