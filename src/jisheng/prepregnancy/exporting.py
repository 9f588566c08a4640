"""The worklist as an Excel file (目标人群花名册). Masked ID numbers only; every text cell goes
through ``safe_cell``. Headers and labels in cells are a file format: Chinese constants."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

from django.db import transaction

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.exports import Row, safe_cell, write_xlsx
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.prepregnancy.models import CoupleSource, CoupleState, TargetCouple
from jisheng.prepregnancy.selectors.couples import CoupleFilters, couple_list

HEADERS = (
    "社居",
    "女方",
    "女方身份证号",
    "男方",
    "男方身份证号",
    "来源",
    "纳入日期",
    "状态",
    "女方已检",
    "男方已检",
    "最近联系",
    "流动人口",
)
STATE_LABELS = {
    CoupleState.TO_NOTIFY: "待告知",
    CoupleState.NOTIFIED: "已告知",
    CoupleState.APPOINTMENT: "已预约",
    CoupleState.ONE_CHECKED: "一方已检",
    CoupleState.BOTH_CHECKED: "双方已检",
    CoupleState.PREGNANT: "已怀孕",
    CoupleState.OUTCOME: "已随访妊娠结局",
    CoupleState.DECLINED: "拒绝",
    CoupleState.MOVED_OUT: "已迁出",
    CoupleState.ENDED: "婚姻已终止",
}
SOURCE_LABELS = {CoupleSource.NEW_MARRIAGE: "新婚", CoupleSource.PLANNING: "计划怀孕"}


def couple_export(*, actor: Actor, filters: CoupleFilters) -> Iterator[Row]:
    """The filtered worklist as rows; the export is audited before any row is produced."""
    require(actor, Capability.VIEW_HEALTH)
    couples = couple_list(user=actor.user, filters=filters)
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            object_type="prepregnancy.targetcouple",
            detail={"filters": filters.as_audit_detail(), "count": couples.count()},
        )
    return _rows(couples.iterator(chunk_size=2000))


def _rows(couples: Iterable[TargetCouple]) -> Iterator[Row]:
    for c in couples:
        yield (
            safe_cell(c.community.name),
            safe_cell(c.wife.name),
            safe_cell(c.wife.id_number_masked),
            safe_cell(c.husband.name),
            safe_cell(c.husband.id_number_masked),
            SOURCE_LABELS.get(CoupleSource(c.source), ""),
            c.entered_on,
            STATE_LABELS.get(CoupleState(c.state), ""),
            "是" if getattr(c, "wife_checked", False) else "否",
            "是" if getattr(c, "husband_checked", False) else "否",
            getattr(c, "last_contact", None),
            "是" if c.wife.is_floating or c.husband.is_floating else "否",
        )


def write_couples_xlsx(target: IO[bytes], rows: Iterable[Row]) -> int:
    return write_xlsx(
        target,
        HEADERS,
        rows,
        title="目标人群",
        text_columns=(2, 4),
        widths={0: 14, 1: 10, 2: 22, 3: 10, 4: 22, 7: 14, 10: 12},
    )
