"""Funds API: categories, budget lines, ledger entries, vouchers and the execution report.

The same services and selectors as the pages; every path is scoped to the caller. Endpoints
only authenticate (``api_actor``): the services and selectors check the caller's duty.
"""

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.params.functions import Header as HeaderParam

from jisheng.core.api_helpers import Id, Pages, PathId, api_actor
from jisheng.core.errors import Forbidden, JishengError
from jisheng.core.idempotency import run_once
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import may, require
from jisheng.core.roles import Capability
from jisheng.funds import selectors, services
from jisheng.funds.models import BudgetLine, Category, Entry, Voucher

router = Router(tags=["funds"])

Year = Annotated[int, Field(ge=2000, le=2100)]
# Amounts travel as text or numbers; the service checks them (≥ 0, < 10^10, two decimals).
Amount = Annotated[Decimal, Field(max_digits=14)]


def _viewer(request: HttpRequest) -> Any:
    actor = api_actor(request)
    if not may(actor, Capability.VIEW_FUNDS):
        raise Forbidden()
    return actor


class CategoryOut(Schema):
    id: int
    code: str
    name: str


class BudgetLineOut(Schema):
    id: int
    year: int
    level: str
    category_code: str
    org_unit_id: int
    amount: Decimal
    spent: Decimal
    over_budget: bool
    note: str

    @staticmethod
    def resolve_category_code(obj: BudgetLine) -> str:
        return obj.category.code

    @staticmethod
    def resolve_spent(obj: BudgetLine) -> Decimal:
        return getattr(obj, "spent", None) or Decimal("0.00")

    @staticmethod
    def resolve_over_budget(obj: BudgetLine) -> bool:
        return (getattr(obj, "spent", None) or Decimal(0)) > obj.amount


class BudgetLineIn(Schema):
    year: Year
    level: str = Field(max_length=12)
    category_code: str = Field(max_length=32)
    org_unit_id: Id
    amount: Amount
    note: str = Field("", max_length=200)


class LineAmountIn(Schema):
    amount: Amount
    note: str = Field("", max_length=200)


class LineQuery(Schema):
    year: Year | None = None


class EntryOut(Schema):
    id: int
    source: str
    source_id: int
    level: str
    category_code: str
    org_unit_id: int
    day: dt.date
    year: int
    amount: Decimal
    description: str
    reverses: bool
    budget_line_id: int | None
    no_budget_line: bool
    over_budget: bool

    @staticmethod
    def resolve_category_code(obj: Entry) -> str:
        return obj.category.code


class EntryQuery(Schema):
    first_year: Year | None = None
    last_year: Year | None = None
    category: str = Field("", max_length=32)
    level: str = Field("", max_length=12)
    budget_line_id: Id | None = None
    over_budget: bool = False
    unbudgeted: bool = False
    source: str = Field("", max_length=40)


class VoucherOut(Schema):
    id: int
    day: dt.date
    category_code: str
    level: str
    org_unit_id: int
    amount: Decimal
    description: str
    summary: bool
    has_attachment: bool
    reversed_at: dt.datetime | None
    reversed_reason: str

    @staticmethod
    def resolve_category_code(obj: Voucher) -> str:
        return obj.category.code

    @staticmethod
    def resolve_has_attachment(obj: Voucher) -> bool:
        return bool(obj.attachment)


class VoucherIn(Schema):
    day: dt.date
    category_code: str = Field(max_length=32)
    level: str = Field(max_length=12)
    org_unit_id: Id
    amount: Amount
    description: str = Field(max_length=300)


class VoucherReverseIn(Schema):
    reason: str = Field(max_length=300)


class FigureOut(Schema):
    budget: Decimal
    spent: Decimal
    over: bool


class RowOut(Schema):
    category_code: str
    category_name: str
    level: str
    years: dict[int, FigureOut]
    total: FigureOut


class YearOut(Schema):
    year: int
    budget: Decimal
    spent: Decimal
    growth_percent: Decimal | None
    steady_growth: bool | None


class ReportOut(Schema):
    first_year: int
    last_year: int
    rows: list[RowOut]
    by_category: list[RowOut]
    years: list[YearOut]
    budget: Decimal
    spent: Decimal
    unbudgeted_spent: Decimal


class ReportQuery(Schema):
    first_year: Year
    last_year: Year


def _category(code: str) -> Category:
    found = selectors.categories().filter(code=code).first()
    if found is None:
        raise JishengError(
            _("There is no category %(code)s.") % {"code": code}, code="invalid_input"
        )
    return found


@router.get("/categories", response=list[CategoryOut], summary="经费类别")
def category_list(request: HttpRequest) -> list[Category]:
    _viewer(request)
    return list(selectors.categories())


@router.get("/budget", response=list[BudgetLineOut], summary="预算（按年度、级别、类别、单位）")
@paginate(Pages)
def line_list(request: HttpRequest, query: Query[LineQuery]) -> object:
    actor = _viewer(request)
    return selectors.budget_lines(actor.user, year=query.year)


@router.post("/budget", response={200: BudgetLineOut}, summary="录入或修改一条预算")
def line_set(request: HttpRequest, body: BudgetLineIn) -> BudgetLine:
    actor = api_actor(request)
    require(actor, Capability.MANAGE_FUNDS)
    line = services.budget_set(
        actor=actor,
        year=body.year,
        level=body.level,
        category=_category(body.category_code),
        org_unit=visible_or_404(OrgUnit, user=actor.user, pk=body.org_unit_id),
        amount=body.amount,
        note=body.note,
    )
    return selectors.budget_lines(actor.user).get(pk=line.pk)


@router.get("/budget/{budget_line_id}", response=BudgetLineOut, summary="一条预算")
def line_detail(request: HttpRequest, budget_line_id: PathId) -> BudgetLine:
    actor = _viewer(request)
    return visible_or_404(selectors.budget_lines(actor.user), user=actor.user, pk=budget_line_id)


@router.put("/budget/{budget_line_id}", response=BudgetLineOut, summary="修改一条预算的金额")
def line_update(request: HttpRequest, budget_line_id: PathId, body: LineAmountIn) -> BudgetLine:
    actor = api_actor(request)
    line = visible_or_404(BudgetLine, user=actor.user, pk=budget_line_id)
    services.budget_update(actor=actor, line=line, amount=body.amount, note=body.note)
    return selectors.budget_lines(actor.user).get(pk=line.pk)


@router.get("/entries", response=list[EntryOut], summary="经费支出明细（只增不改，冲销为负数）")
@paginate(Pages)
def entry_list(request: HttpRequest, query: Query[EntryQuery]) -> object:
    actor = _viewer(request)
    filters = selectors.EntryFilters(
        first_year=query.first_year,
        last_year=query.last_year,
        category=query.category,
        level=query.level,
        budget_line_id=query.budget_line_id,
        over_budget=query.over_budget,
        unbudgeted=query.unbudgeted,
        source=query.source,
    )
    return selectors.entries(actor.user, filters)


@router.get("/entries/{entry_id}", response=EntryOut, summary="一笔支出")
def entry_detail(request: HttpRequest, entry_id: PathId) -> Entry:
    actor = _viewer(request)
    return visible_or_404(selectors.entries(actor.user), user=actor.user, pk=entry_id)


@router.get("/vouchers", response=list[VoucherOut], summary="凭证")
@paginate(Pages)
def voucher_list(request: HttpRequest) -> object:
    actor = _viewer(request)
    return selectors.vouchers(actor.user)


@router.post(
    "/vouchers",
    response={201: VoucherOut},
    summary="登记凭证（附件必传）",
    description=(
        "multipart/form-data：各字段与扫描件 attachment（PDF、JPEG 或 PNG，不超过 10 MB，"
        "按内容检查），与页面相同。请带 Idempotency-Key 头：网络重试时同一键只记一次，"
        "并返回第一次的结果。"
    ),
)
def voucher_create(
    request: HttpRequest,
    body: Form[VoucherIn],
    attachment: File[UploadedFile],
    idempotency_key: Annotated[str | None, HeaderParam(alias="Idempotency-Key")] = None,
) -> Status[Voucher]:
    actor = api_actor(request)
    require(actor, Capability.MANAGE_FUNDS)

    def create() -> Voucher:
        return services.voucher_create(
            actor=actor,
            day=body.day,
            category=_category(body.category_code),
            level=body.level,
            org_unit=visible_or_404(OrgUnit, user=actor.user, pk=body.org_unit_id),
            amount=body.amount,
            description=body.description,
            attachment=attachment,
        )

    once = run_once(
        user=actor.user,
        scope="funds.vouchers",
        key=idempotency_key,
        # The file is part of the request: the same key with another scan is a conflict.
        request=body.model_dump(mode="json") | {"attachment": _digest(attachment)},
        run=create,
        store=lambda voucher: voucher.pk,
        load=lambda pk: selectors.vouchers(actor.user).get(pk=pk),
    )
    return Status(201, once.value)


def _digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@router.get("/vouchers/{voucher_id}", response=VoucherOut, summary="一张凭证")
def voucher_detail(request: HttpRequest, voucher_id: PathId) -> Voucher:
    actor = _viewer(request)
    return visible_or_404(selectors.vouchers(actor.user), user=actor.user, pk=voucher_id)


@router.post("/vouchers/{voucher_id}/reverse", response=VoucherOut, summary="冲销一张凭证")
def voucher_reverse(request: HttpRequest, voucher_id: PathId, body: VoucherReverseIn) -> Voucher:
    actor = api_actor(request)
    voucher = visible_or_404(Voucher, user=actor.user, pk=voucher_id)
    return services.voucher_reverse(actor=actor, voucher=voucher, reason=body.reason)


def _figure(figure: selectors.Figure) -> dict[str, Any]:
    return {"budget": figure.budget, "spent": figure.spent, "over": figure.over}


def _row(row: selectors.ReportRow) -> dict[str, Any]:
    return {
        "category_code": row.category.code,
        "category_name": row.category.name,
        "level": row.level,
        "years": {year: _figure(figure) for year, figure in row.years.items()},
        "total": _figure(row.total),
    }


@router.get("/report", response=ReportOut, summary="经费执行情况（预算与支出、逐年增长）")
def report(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    actor = _viewer(request)
    span = query.last_year - query.first_year
    if not 0 <= span < selectors.MAX_YEARS:
        raise JishengError(
            _("A report covers at most %(n)d years.") % {"n": selectors.MAX_YEARS},
            code="invalid_input",
        )
    found = selectors.execution_report(
        actor.user, first_year=query.first_year, last_year=query.last_year
    )
    return {
        "first_year": found.first_year,
        "last_year": found.last_year,
        "rows": [_row(row) for row in found.rows],
        "by_category": [_row(row) for row in found.by_category],
        "years": [
            {
                "year": item.year,
                "budget": item.figure.budget,
                "spent": item.figure.spent,
                "growth_percent": item.growth,
                "steady_growth": item.steady,
            }
            for item in found.years
        ],
        "budget": found.total.budget,
        "spent": found.total.spent,
        "unbudgeted_spent": found.unbudgeted.spent,
    }
