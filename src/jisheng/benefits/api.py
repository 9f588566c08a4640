"""Benefits API: programs, eligibility, applications with transitions, notices, batches, payments.

The same services and scope as the pages; batch building takes an ``Idempotency-Key``.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from jisheng.benefits import selectors
from jisheng.benefits.api_care import router as care_router
from jisheng.benefits.models import (
    Application,
    Objection,
    Payment,
    PaymentBatch,
)
from jisheng.benefits.services import payments
from jisheng.benefits.services.applications import (
    application_create,
    application_transition,
    available_actions,
)
from jisheng.benefits.services.notices import notice_publish, objection_record, objection_resolve
from jisheng.core.actors import Actor, request_user
from jisheng.core.api_helpers import Id, Pages, PathId
from jisheng.core.idempotency import run_once
from jisheng.core.lookups import visible_or_404
from jisheng.registry.models import Person

router = Router(tags=["benefits"])
router.add_router("", care_router)


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


class ProgramOut(Schema):
    code: str
    name: str
    category: str
    status: str
    unit: str
    benefit_kind: str
    amount: Decimal | None
    amount_per: str
    cycle: str
    proration: str
    policy_document: str
    verify_locally: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    rule: dict[str, Any]
    amount_tiers: list[dict[str, Any]]
    funding_shares: dict[str, int]


class EligibleOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    id_number_masked: str
    community_code: str

    @staticmethod
    def resolve_community_code(obj: Person) -> str:
        return obj.community.code


@router.get("/programs", response=list[ProgramOut])
def programs(request: HttpRequest, status: str = "") -> Any:
    return selectors.program_list(request_user(request), status=status)


@router.get("/programs/{code}", response=ProgramOut)
def program(request: HttpRequest, code: str) -> Any:
    return selectors.program_get(request_user(request), code)


@router.get("/programs/{code}/eligible", response=list[EligibleOut])
@paginate(Pages, page_size=100)
def program_eligible(request: HttpRequest, code: str, as_of: dt.date | None = None) -> Any:
    """Who qualifies on ``as_of`` (default today) and is neither enrolled nor applying."""
    user = request_user(request)
    found = selectors.program_get(user, code)
    persons = selectors.eligible_persons(
        user=user, program=found, as_of=as_of or timezone.localdate()
    )
    selectors.find_eligible_recorded(actor=_actor(request), program=found, count=persons.count())
    return persons


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    comment: str
    actor: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor.username)


class ApplicationOut(Schema):
    id: int
    program: str
    person_id: int
    payee_id: int | None
    community_code: str
    state: str
    notice_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_program(obj: Application) -> str:
        return obj.program.code

    @staticmethod
    def resolve_community_code(obj: Application) -> str:
        return obj.community.code


class ApplicationDetailOut(ApplicationOut):
    explanation: list[dict[str, Any]]
    transitions: list[TransitionOut]
    actions: list[str]

    @staticmethod
    def resolve_transitions(obj: Application) -> Any:
        return list(obj.transitions.select_related("actor"))

    @staticmethod
    def resolve_actions(obj: Application, context: dict[str, Any]) -> list[str]:
        return available_actions(obj, request_user(context["request"]))


class ApplicationIn(Schema):
    program: str = Field(max_length=40)
    person_id: Id
    payee_id: Id | None = None
    bank_account: str = Field("", max_length=40)
    note: str = Field("", max_length=300)


class ApplicationQuery(Schema):
    program: str = ""
    state: str = ""


@router.get("/applications", response=list[ApplicationOut])
@paginate(Pages)
def applications(request: HttpRequest, filters: Query[ApplicationQuery]) -> Any:
    user = request_user(request)
    found = selectors.program_get(user, filters.program) if filters.program else None
    return selectors.application_list(user, program=found, state=filters.state)


@router.post("/applications", response={201: ApplicationDetailOut})
def application_new(request: HttpRequest, payload: ApplicationIn) -> Any:
    user = request_user(request)
    found = selectors.program_get(user, payload.program)
    person = visible_or_404(Person, user=user, pk=payload.person_id)
    payee = visible_or_404(Person, user=user, pk=payload.payee_id) if payload.payee_id else None
    created = application_create(
        actor=_actor(request),
        program=found,
        person=person,
        payee=payee,
        bank_account=payload.bank_account,
        note=payload.note,
    )
    return Status(201, created)


@router.get("/applications/{application_id}", response=ApplicationDetailOut)
def application(request: HttpRequest, application_id: PathId) -> Any:
    return selectors.application_detail(actor=_actor(request), application_id=application_id)


class TransitionIn(Schema):
    action: str = Field(
        max_length=20, description="check, review, approve, return, resubmit, reject"
    )
    comment: str = Field("", max_length=500)


@router.post("/applications/{application_id}/transitions", response=ApplicationDetailOut)
def application_act(request: HttpRequest, application_id: PathId, payload: TransitionIn) -> Any:
    user = request_user(request)
    found = visible_or_404(Application, user=user, pk=application_id)
    return application_transition(
        actor=_actor(request), application=found, action=payload.action, comment=payload.comment
    )


class ObjectionIn(Schema):
    content: str = Field(max_length=2000)
    received_on: dt.date
    contact: str = Field("", max_length=100)


class ObjectionOut(Schema):
    id: int
    application_id: int
    notice_id: int
    received_on: dt.date
    content: str
    upheld: bool | None
    resolution: str


@router.post("/applications/{application_id}/objections", response={201: ObjectionOut})
def objection_new(request: HttpRequest, application_id: PathId, payload: ObjectionIn) -> Any:
    user = request_user(request)
    found = visible_or_404(Application, user=user, pk=application_id)
    created = objection_record(
        actor=_actor(request),
        application=found,
        content=payload.content,
        received_on=payload.received_on,
        contact=payload.contact,
    )
    return Status(201, created)


class ResolveIn(Schema):
    upheld: bool
    resolution: str = Field(max_length=2000)


@router.post("/objections/{objection_id}/resolve", response=ObjectionOut)
def objection_settle(request: HttpRequest, objection_id: PathId, payload: ResolveIn) -> Any:
    found = visible_or_404(Objection, user=request_user(request), pk=objection_id)
    return objection_resolve(
        actor=_actor(request), objection=found, upheld=payload.upheld, resolution=payload.resolution
    )


class NoticeIn(Schema):
    program: str = Field(max_length=40)
    application_ids: list[int] = Field(min_length=1, max_length=5000)
    starts_on: dt.date
    days: int | None = Field(None, ge=1, le=60)
    title: str = Field("", max_length=200)


class NoticeOut(Schema):
    id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    days: int


@router.post("/notices", response={201: NoticeOut})
def notice_new(request: HttpRequest, payload: NoticeIn) -> Any:
    found = selectors.program_get(request_user(request), payload.program)
    created = notice_publish(
        actor=_actor(request),
        program=found,
        application_ids=payload.application_ids,
        starts_on=payload.starts_on,
        days=payload.days,
        title=payload.title,
    )
    return Status(201, created)


class BatchOut(Schema):
    id: int
    program: str
    period: str
    state: str
    lines: int
    total: Decimal
    paid: Decimal
    pending: Decimal
    failed: Decimal
    net_paid: Decimal
    approved_total: Decimal | None


class BatchIn(Schema):
    program: str = Field(max_length=40)
    period: str = Field(max_length=7, description="2026, 2026-03 or once")


def _batch_out(batch: PaymentBatch) -> dict[str, Any]:
    """The batch with its totals, summed once (not once per field)."""
    totals = selectors.batch_totals(batch)
    return {
        "id": batch.pk,
        "program": batch.program.code,
        "period": batch.period,
        "state": batch.state,
        "lines": totals.lines,
        "total": totals.total,
        "paid": totals.paid,
        "pending": totals.pending,
        "failed": totals.failed,
        "net_paid": totals.net_paid,
        "approved_total": batch.approved_total,
    }


def _batch_answer(batch: PaymentBatch) -> dict[str, Any]:
    return BatchOut(**_batch_out(batch)).model_dump(mode="json")


@router.get("/batches", response=list[BatchOut])
def batches(request: HttpRequest, program: str = "") -> Any:
    user = request_user(request)
    found = selectors.program_get(user, program) if program else None
    return [_batch_out(batch) for batch in selectors.batch_list(user, program=found)]


@router.post("/batches", response={201: dict[str, Any]})
def batch_new(
    request: HttpRequest,
    payload: BatchIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    """Build a draft batch. Repeat the request with the same ``Idempotency-Key`` header to get
    the same batch back instead of an error; without it a repeat finds nobody left to pay."""
    user = request_user(request)
    found = selectors.program_get(user, payload.program)

    def run() -> dict[str, Any]:
        built = payments.batch_build(
            actor=_actor(request), program=found, period_key=payload.period
        )
        return _batch_answer(built)

    once = run_once(
        user=user,
        scope="benefits.batch_build",
        key=idempotency_key,
        request=payload.dict(),
        run=run,
        store=lambda body: body,
        load=lambda body: body,
    )
    return Status(201, once.value)


@router.get("/batches/{batch_id}", response=BatchOut)
def batch(request: HttpRequest, batch_id: PathId) -> Any:
    return _batch_out(visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id))


@router.post("/batches/{batch_id}/review", response=BatchOut)
def batch_review(request: HttpRequest, batch_id: PathId) -> Any:
    found = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    return _batch_out(payments.batch_review(actor=_actor(request), batch=found))


@router.post("/batches/{batch_id}/approve", response=BatchOut)
def batch_approve(request: HttpRequest, batch_id: PathId) -> Any:
    found = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    return _batch_out(payments.batch_approve(actor=_actor(request), batch=found))


class PaymentOut(Schema):
    id: int
    batch_id: int
    person_id: int
    payee_id: int
    kind: str
    period: str
    months: int
    amount: Decimal
    status: str
    failure_reason: str
    reverses_id: int | None


@router.get("/batches/{batch_id}/payments", response=list[PaymentOut])
@paginate(Pages, page_size=500)
def batch_payments(request: HttpRequest, batch_id: PathId, status: str = "") -> Any:
    user = request_user(request)
    found = visible_or_404(PaymentBatch, user=user, pk=batch_id)
    return selectors.batch_lines(user, found, status=status)


class SettleIn(Schema):
    payment_ids: list[int] | None = Field(None, description="null: every pending line")
    paid: bool
    reason: str = Field("", max_length=300)


class SettleOut(Schema):
    recorded: int


@router.post("/batches/{batch_id}/settle", response=SettleOut)
def batch_settle(request: HttpRequest, batch_id: PathId, payload: SettleIn) -> Any:
    found = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    count = payments.payments_settle(
        actor=_actor(request),
        batch=found,
        payment_ids=payload.payment_ids,
        paid=payload.paid,
        reason=payload.reason,
    )
    return {"recorded": count}


class ReverseIn(Schema):
    reason: str = Field(max_length=300)


@router.post("/payments/{payment_id}/reverse", response={201: PaymentOut})
def payment_reverse(request: HttpRequest, payment_id: PathId, payload: ReverseIn) -> Any:
    found = visible_or_404(Payment, user=request_user(request), pk=payment_id)
    return Status(
        201, payments.payment_reverse(actor=_actor(request), payment=found, reason=payload.reason)
    )
