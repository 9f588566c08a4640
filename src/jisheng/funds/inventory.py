"""What the funds app stores, field by field, in PIPL's terms: amounts of public money and
who recorded them (staff, as users); nothing on residents."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

INVENTORY = DataInventory(
    personal={
        "BudgetLine": ("updated_by",),
        "Entry": ("recorded_by",),
        "Voucher": ("recorded_by", "reversed_by"),
    },
    neither={
        "Category": ("id", "code", "name", "order"),
        "BudgetLine": (
            "id",
            "year",
            "level",
            "category",
            "org_unit",
            "amount",
            "note",
            "updated_at",
        ),
        "Entry": (
            "id",
            "source",
            "source_id",
            "level",
            "category",
            "org_unit",
            "day",
            "year",
            "amount",
            "description",
            "reverses",
            "budget_line",
            "over_budget",
            "record_view",
            "record_id",
            "recorded_at",
        ),
        "Voucher": (
            "id",
            "day",
            "category",
            "level",
            "org_unit",
            "amount",
            "description",
            "attachment",
            "summary",
            "recorded_at",
            "reversed_reason",
            "reversed_at",
        ),
    },
)
