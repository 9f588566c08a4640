"""What the publicity app stores, field by field, in PIPL's terms (the data inventory).

No residents' data: activities hold counts; staff appear as the accounts that recorded or
attended; photos of events may show people, so they count as personal."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

INVENTORY = DataInventory(
    personal={
        "Asset": ("created_by",),
        "Activity": ("recorded_by",),
        "Training": ("recorded_by", "trainer"),
        "Photo": ("file", "thumbnail", "caption", "uploaded_by"),
        "CostEntry": ("recorded_by",),
    },
    neither={
        "Asset": (
            "id",
            "org_unit",
            "kind",
            "name",
            "location",
            "status",
            "opened_on",
            "closed_on",
            "note",
            "created_at",
        ),
        "Activity": (
            "id",
            "org_unit",
            "date",
            "kind",
            "title",
            "organiser",
            "partners",
            "audience",
            "materials",
            "materials_note",
            "cost",
            "note",
            "recorded_at",
        ),
        "Training": (
            "id",
            "org_unit",
            "topic",
            "start_date",
            "end_date",
            "hours",
            "cost",
            "note",
            "recorded_at",
        ),
        "Photo": ("id", "org_unit", "activity", "asset", "uploaded_at"),
        "CostEntry": (
            "id",
            "org_unit",
            "activity",
            "training",
            "amount",
            "day",
            "reverses",
            "recorded_at",
        ),
    },
)
