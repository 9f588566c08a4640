"""Benefits API: programs, eligibility, applications with transitions, notices, batches, payments.

The same services and scope as the pages; batch building takes an ``Idempotency-Key``.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Header, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.params.functions import Form as FormParam

from jisheng.benefits import selectors
from jisheng.benefits.care.api import router as care_router
from jisheng.benefits.models import (
    Application,
    EligibleSnapshot,
    Objection,
    Payment,
    PaymentBatch,
    ReviewCampaign,
    ReviewItem,
)
from jisheng.benefits.services import history, payments, reverification, snapshots
from jisheng.benefits.services.applications import (
    application_create,
    application_transition,
    available_actions,
)
from jisheng.benefits.services.notices import notice_publish, objection_record, objection_resolve
from jisheng.core.actors import Actor, request_user
from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict
from jisheng.core.idempotency import run_once
from jisheng.core.lookups import visible_or_404
from jisheng.registry.models import Person

router = Router(tags=["benefits"])
router.add_router("", care_router)


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
    spouse_name: str | None = Field(
        None, description="a couple program: the other spouse (each couple is listed once)"
    )

    @staticmethod
    def resolve_spouse_name(obj: Person) -> str | None:
        return getattr(obj, "spouse_name", None)

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
    selectors.find_eligible_recorded(actor=api_actor(request), program=found, count=persons.count())
    return persons


class SnapshotIn(Schema):
    as_of: dt.date | None = Field(None, description="the day residents must qualify on (today)")


class SnapshotOut(Schema):
    id: int
    program: str
    as_of: dt.date
    state: str = Field(description="queued, running, done or failed")
    percent: int
    message: str = Field(description="why it could not be made, when it failed")
    total: int = Field(description="residents (a couple program: couples) it lists")
    taken_at: dt.datetime | None = Field(description="the registry as of this time")
    stale: bool = Field(
        description="a registry event in its scope came later, or it is too old: refresh "
        "it before taking applications from it"
    )


def _snapshot_out(snapshot: EligibleSnapshot) -> dict[str, Any]:
    return SnapshotOut(
        id=snapshot.pk,
        program=snapshot.program.code,
        as_of=snapshot.as_of,
        state=snapshot.progress.state,
        percent=snapshot.progress.percent,
        message=snapshot.progress.message,
        total=snapshot.total,
        taken_at=snapshot.taken_at,
        stale=selectors.snapshot_stale(snapshot),
    ).model_dump(mode="json")


@router.post("/programs/{code}/eligible-snapshots", response={202: SnapshotOut})
def eligible_snapshot_refresh(request: HttpRequest, code: str, payload: SnapshotIn) -> Any:
    """Queue a snapshot of who qualifies in the caller's unit, as the page's "Refresh" does
    (one still running for the same program, day and unit is returned); poll it until done."""
    user = request_user(request)
    found = selectors.program_get(user, code)
    as_of = possible_date(payload.as_of or timezone.localdate(), future=True)
    started = snapshots.snapshot_refresh(actor=api_actor(request), program=found, as_of=as_of)
    return Status(202, _snapshot_out(selectors.snapshot_for(user, started.pk)))


@router.get("/eligible-snapshots/{snapshot_id}", response=SnapshotOut)
def eligible_snapshot(request: HttpRequest, snapshot_id: PathId) -> Any:
    return _snapshot_out(selectors.snapshot_for(request_user(request), snapshot_id))


class SnapshotRowsOut(Schema):
    items: list[EligibleOut] = Field(
        description="by community code, name, record number; anyone enrolled or applying "
        "since the snapshot is left out"
    )
    next_after: int | None = Field(description="pass as ``after`` for the next page")
    previous_before: int | None = Field(description="pass as ``before`` for the page before")


@router.get("/eligible-snapshots/{snapshot_id}/rows", response=SnapshotRowsOut)
def eligible_snapshot_rows(
    request: HttpRequest, snapshot_id: PathId, after: Id | None = None, before: Id | None = None
) -> Any:
    """One page of a done snapshot, after (or before) the resident with that record number."""
    user = request_user(request)
    snapshot = selectors.snapshot_for(user, snapshot_id)
    if not snapshot.done:
        raise Conflict(_("The list is not ready yet."), code="snapshot_not_ready")
    page = selectors.snapshot_page(user, snapshot, after=after, before=before)
    selectors.find_eligible_recorded(
        actor=api_actor(request), program=snapshot.program, count=snapshot.total
    )
    return {
        "items": page.persons,
        "next_after": page.last_id if page.has_next else None,
        "previous_before": page.first_id if page.has_previous else None,
    }


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
    spouse_id: int | None = Field(description="a couple program: the other spouse")
    unit_key: str = Field(description="the beneficiary unit: one application per unit")
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
        actor=api_actor(request),
        program=found,
        person=person,
        payee=payee,
        bank_account=payload.bank_account,
        note=payload.note,
    )
    return Status(201, created)


@router.get("/applications/{application_id}", response=ApplicationDetailOut)
def application(request: HttpRequest, application_id: PathId) -> Any:
    return selectors.application_detail(actor=api_actor(request), application_id=application_id)


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
        actor=api_actor(request), application=found, action=payload.action, comment=payload.comment
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
        actor=api_actor(request),
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
        actor=api_actor(request),
        objection=found,
        upheld=payload.upheld,
        resolution=payload.resolution,
    )


class NoticeIn(Schema):
    program: str = Field(max_length=40)
    application_ids: list[Id] = Field(min_length=1, max_length=5000)
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
        actor=api_actor(request),
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
    is_correction: bool = Field(description="a correction batch: pays reversed payments again")
    correction_reason: str
    corrections: int = Field(description="lines paying a reversed payment again")
    corrected: Decimal = Field(description="paid by those lines")
    imported_history: bool = Field(
        False, description="payments made before this system, imported from a file"
    )


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
        "is_correction": batch.is_correction,
        "correction_reason": batch.correction_reason,
        "corrections": totals.corrections,
        "corrected": totals.corrected,
        "imported_history": batch.imported_history,
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
            actor=api_actor(request), program=found, period_key=payload.period
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


class HistoryRefusedOut(Schema):
    """A refusal; ``rows`` only when the file had bad rows (other 400s are the usual error)."""

    code: str
    message: str
    rows: list[str] = Field(
        default_factory=list, description="each bad row's problems; nothing was imported"
    )


@router.post("/batches/history", response={201: BatchOut, 400: HistoryRefusedOut})
def history_import(
    request: HttpRequest,
    file: File[UploadedFile],
    program: Annotated[str, FormParam(max_length=40)],
    period: Annotated[str, FormParam(max_length=7, description="a past year, like 2013")],
) -> Any:
    """Import a past period's payments (.xlsx: ID number, name, amount, date paid) as one
    approved batch marked imported history. All or nothing; the same file again returns the
    same batch; an ended program accepts its history and stays ended."""
    user = request_user(request)
    found = selectors.program_get(user, program)
    if file.size is None or file.size > history.MAX_BYTES:
        return Status(
            400,
            {"code": "file_too_large", "message": _("The file is larger than 5 MB."), "rows": []},
        )
    try:
        batch = history.history_import(
            actor=api_actor(request),
            program=found,
            period_text=period,
            rows=history.read_history_file(file),
            file_name=file.name or "",
        )
    except history.HistoryRowsRefused as exc:
        return Status(
            400, {"code": exc.code, "message": str(exc.message), "rows": exc.row_problems}
        )
    return Status(201, _batch_out(batch))


class BatchBuildOut(Schema):
    progress_id: int
    state: str = Field(description="queued, running, done or failed")
    percent: int
    message: str = Field(description="why the build failed, when it did")
    batch_id: int | None = Field(description="the batch, once built")
    status_url: str


def _build_out(build: selectors.BatchBuild, status_url: str) -> dict[str, Any]:
    return BatchBuildOut(
        progress_id=build.progress.pk,
        state=build.progress.state,
        percent=build.progress.percent,
        message=build.progress.message,
        batch_id=build.batch.pk if build.batch else None,
        status_url=status_url,
    ).model_dump(mode="json")


@router.post("/batch-builds", response={202: BatchBuildOut})
def batch_build_start(
    request: HttpRequest,
    payload: BatchIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    """Queue a batch build on the task worker, as the pages do; poll ``status_url`` until
    ``state`` is done (``batch_id``) or failed (``message``). ``POST /batches`` builds
    while the request waits. The same ``Idempotency-Key`` gets the same build back."""
    user = request_user(request)
    found = selectors.program_get(user, payload.program)

    def run() -> dict[str, Any]:
        started = payments.batch_build_start(
            actor=api_actor(request), program=found, period_key=payload.period
        )
        build = selectors.BatchBuild(progress=started, program=found, batch=None)
        return _build_out(build, f"{request.path.rstrip('/')}/{started.pk}")

    once = run_once(
        user=user,
        scope="benefits.batch_build_start",
        key=idempotency_key,
        request=payload.dict(),
        run=run,
        store=lambda body: body,
        load=lambda body: body,
    )
    return Status(202, once.value)


@router.get("/batch-builds/{progress_id}", response=BatchBuildOut)
def batch_build_status(request: HttpRequest, progress_id: PathId) -> Any:
    """A build the caller started: its state, and the batch once built."""
    build = selectors.batch_build_for(request_user(request), progress_id)
    return _build_out(build, request.path)


@router.get("/batches/{batch_id}", response=BatchOut)
def batch(request: HttpRequest, batch_id: PathId) -> Any:
    return _batch_out(selectors.batch_detail(request_user(request), batch_id))


@router.post("/batches/{batch_id}/review", response=BatchOut)
def batch_review(request: HttpRequest, batch_id: PathId) -> Any:
    found = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    return _batch_out(payments.batch_review(actor=api_actor(request), batch=found))


@router.post("/batches/{batch_id}/approve", response=BatchOut)
def batch_approve(request: HttpRequest, batch_id: PathId) -> Any:
    found = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    return _batch_out(payments.batch_approve(actor=api_actor(request), batch=found))


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
    corrects_id: int | None = Field(description="the reversed payment this line pays again")


@router.get("/batches/{batch_id}/payments", response=list[PaymentOut])
@paginate(Pages, page_size=500)
def batch_payments(request: HttpRequest, batch_id: PathId, status: str = "") -> Any:
    user = request_user(request)
    return selectors.batch_lines(user, selectors.batch_detail(user, batch_id), status=status)


class SettleIn(Schema):
    payment_ids: list[Id] | None = Field(None, description="null: every pending line")
    paid: bool
    reason: str = Field("", max_length=300)


class SettleOut(Schema):
    recorded: int


@router.post("/batches/{batch_id}/settle", response=SettleOut)
def batch_settle(request: HttpRequest, batch_id: PathId, payload: SettleIn) -> Any:
    found = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    count = payments.payments_settle(
        actor=api_actor(request),
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
        201,
        payments.payment_reverse(actor=api_actor(request), payment=found, reason=payload.reason),
    )


class PaymentCorrectionIn(Schema):
    reason: str = Field(max_length=300)


@router.post("/payments/{payment_id}/correction", response={201: BatchOut})
def payment_correct(request: HttpRequest, payment_id: PathId, payload: PaymentCorrectionIn) -> Any:
    """Pay a reversed payment again: a draft correction batch, reviewed and approved (by
    someone other than its builder) like any batch before anything is paid. Building the
    period again never pays a reversed person."""
    actor = api_actor(request)
    found = selectors.payment_for(actor.user, payment_id)
    built = payments.batch_correction_build(actor=actor, payment=found, reason=payload.reason)
    return Status(201, _batch_out(built))


# ------------------------------------------------------------------------------- re-verification


class CampaignOut(Schema):
    id: int
    program_id: int
    program: str
    org_unit_id: int
    year: int
    created_at: dt.datetime
    total: int
    decided: int
    stopped: int

    @staticmethod
    def resolve_program(obj: ReviewCampaign) -> str:
        return obj.program.name


class FlagOut(Schema):
    kind: str
    date: dt.date | None
    text: str


class ReviewItemOut(Schema):
    id: int
    campaign_id: int
    entitlement_id: int
    person_id: int
    person_name: str
    payee_id: int | None
    community_id: int
    flags: list[FlagOut]
    decision: str
    comment: str
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_person_id(obj: ReviewItem) -> int:
        return obj.entitlement.person_id

    @staticmethod
    def resolve_person_name(obj: ReviewItem) -> str:
        return obj.entitlement.person.name

    @staticmethod
    def resolve_payee_id(obj: ReviewItem) -> int | None:
        return obj.entitlement.payee_id


class CampaignDetail(CampaignOut):
    items: list[ReviewItemOut]

    @staticmethod
    def resolve_items(obj: Any) -> list[ReviewItem]:
        return list(obj.items_shown)


class CampaignIn(Schema):
    program_id: Id
    year: int = Field(ge=2000, le=2100)


class ItemQuery(Schema):
    flag: Literal[
        "",
        "flagged",
        "unflagged",
        "death",
        "move_out",
        "rule",
        "marriage",
        "divorce",
        "payee_death",
        "payee_move_out",
    ] = ""
    decision: Literal["", "pending", "confirm", "stop"] = ""


class DecisionIn(Schema):
    # Checked by the service, after the item has been found in the caller's scope.
    decision: str = Field(max_length=10, description="confirm（继续享受）或 stop（停发）")
    comment: str = Field("", max_length=300, description="停发时必填，除非已有标记")


@router.get("/campaigns", response=list[CampaignOut], summary="年审列表")
def campaign_list(request: HttpRequest) -> Any:
    return selectors.campaign_list(request_user(request))


@router.post("/campaigns", response={201: CampaignDetail}, summary="开启年审")
def campaign_create(request: HttpRequest, body: CampaignIn) -> Status[Any]:
    actor = api_actor(request)
    campaign = reverification.campaign_create(
        actor=actor, program=selectors.program_by_id(actor.user, body.program_id), year=body.year
    )
    return Status(201, _campaign_detail(actor, campaign.pk, ItemQuery()))


def _campaign_detail(actor: Actor, campaign_id: int, query: ItemQuery) -> ReviewCampaign:
    campaign = selectors.campaign_detail(actor.user, campaign_id)
    campaign.items_shown = list(  # type: ignore[attr-defined]
        selectors.campaign_items(actor.user, campaign, flag=query.flag, decision=query.decision)
    )
    return campaign


@router.get(
    "/campaigns/{campaign_id}",
    response=CampaignDetail,
    summary="年审详情（含名单，有标记的在前）",
)
def campaign_detail(request: HttpRequest, campaign_id: PathId, query: Query[ItemQuery]) -> Any:
    return _campaign_detail(api_actor(request), campaign_id, query)


@router.post(
    "/review-items/{review_item_id}/decision",
    response=ReviewItemOut,
    summary="年审决定：confirm 继续享受，stop 停发",
)
def review_item_decide(
    request: HttpRequest, review_item_id: PathId, data: DecisionIn
) -> ReviewItem:
    actor = api_actor(request)
    item = selectors.review_item_for(actor.user, review_item_id)
    reverification.review_item_decide(
        actor=actor, item=item, decision=data.decision, comment=data.comment
    )
    return selectors.review_item_for(actor.user, review_item_id)
