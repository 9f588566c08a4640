"""The reports as Excel workbooks. Headers and labels in cells are a file format, so they are
Chinese constants; every text cell is formula-safe; every export is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.selectors import reports
from jisheng.core.actors import Actor
from jisheng.core.exports import write_xlsx
from jisheng.core.permissions import require_any
from jisheng.core.roles import Capability

CATEGORY_LABELS = {
    "oral": "口服避孕药",
    "condom": "避孕套",
    "external": "外用避孕药",
    "emergency": "紧急避孕药",
    "iud": "宫内节育器",
    "implant": "皮下埋植剂",
}
METHOD_LABELS = {
    **CATEGORY_LABELS,
    "injection": "避孕针",
    "female_sterilization": "女性绝育",
    "male_sterilization": "男性绝育",
    "other": "其他方法",
}
POINT_KIND_LABELS = {"store": "街道药具库", "community": "社居发放点", "machine": "自助发放机"}


@dataclass(frozen=True)
class Workbook:
    """A report ready to be written: the view streams it (``core.exports.xlsx_response``)."""

    file_name: str
    title: str
    header: Sequence[str]
    rows: list[list[object]]

    def write(self, target: Path | IO[bytes]) -> int:
        return write_xlsx(target, self.header, self.rows, title=self.title, widths={0: 18, 1: 18})


def _write(
    actor: Actor,
    *,
    report: str,
    title: str,
    header: Sequence[str],
    rows: list[list[object]],
    file_name: str,
) -> Workbook:
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            object_type=f"contraceptives.report.{report}",
            detail={"rows": len(rows)},
        )
    return Workbook(file_name=file_name, title=title, header=header, rows=rows)


def issues_workbook(*, actor: Actor, year: int) -> Workbook:
    require_any(actor, Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES)
    table = reports.issues_by_month(user=actor.user, year=year)
    header = ["发放点", "药具", "类别", "单位", *[f"{m}月" for m in range(1, 13)], "合计"]
    rows: list[list[object]] = [
        [
            row.point.name,
            row.product.name,
            CATEGORY_LABELS[row.product.category],
            row.product.unit,
            *row.months,
            row.total,
        ]
        for row in table.rows
    ]
    # One total per unit: boxes, strips and pieces do not add up.
    rows.extend(
        [f"合计（{total.unit}）", "", "", total.unit, *total.months, total.total]
        for total in table.unit_totals
    )
    return _write(
        actor,
        report="issues",
        title=f"{year}年发放",
        header=header,
        rows=rows,
        file_name=f"药具发放统计-{year}.xlsx",
    )


def stock_workbook(*, actor: Actor, today: dt.date) -> Workbook:
    require_any(actor, Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES)
    rows: list[list[object]] = [
        [
            row.point.name,
            POINT_KIND_LABELS[row.point.kind],
            row.product.name,
            row.product.unit,
            row.quantity,
            row.usable,
            row.expired,
        ]
        for row in reports.stock_on_hand(user=actor.user, today=today)
    ]
    return _write(
        actor,
        report="stock",
        title="库存",
        header=["发放点", "类型", "药具", "单位", "库存", "有效库存", "已过期"],
        rows=rows,
        file_name=f"药具库存-{today:%Y%m%d}.xlsx",
    )


def expiry_workbook(*, actor: Actor, today: dt.date) -> Workbook:
    require_any(actor, Capability.MANAGE_STOCK, Capability.VIEW_AGGREGATES)
    rows: list[list[object]] = [
        [
            balance.point.name,
            balance.lot.product.name,
            balance.lot.number,
            balance.lot.expiry_date,
            balance.quantity,
            "已过期" if balance.lot.is_expired(today) else "近效期",
        ]
        for balance in reports.expiry_list(user=actor.user, today=today)
    ]
    return _write(
        actor,
        report="expiry",
        title="效期",
        header=["发放点", "药具", "批号", "有效期至", "数量", "状态"],
        rows=rows,
        file_name=f"药具效期-{today:%Y%m%d}.xlsx",
    )


def roster_workbook(*, actor: Actor, today: dt.date) -> Workbook:
    require_any(actor, Capability.VIEW_HEALTH, Capability.VIEW_AGGREGATES)
    table = reports.roster_by_method(user=actor.user)
    header = ["社居", *[METHOD_LABELS[value] for value, _label in table.methods], "合计"]
    rows: list[list[object]] = [[row.unit.name, *row.counts, row.total] for row in table.rows]
    rows.append(["合计", *table.totals, table.total])
    return _write(
        actor,
        report="roster",
        title="花名册统计",
        header=header,
        rows=rows,
        file_name=f"药具使用人员统计-{today:%Y%m%d}.xlsx",
    )
