"""What the reports app stores, field by field (the data inventory): counts over units, no
resident anywhere; a saved pivot question names only the account that saved it. A new field
must be added here, or ``tests/privacy/test_data_inventory.py`` fails."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

INVENTORY = DataInventory(
    personal={"SavedPivot": ("owner",)},
    neither={
        "RollupCell": (
            "id",
            "measure",
            "unit",
            "period",
            "d1",
            "d2",
            "d3",
            "d4",
            "count",
            "amount",
        ),
        "RollupState": ("id", "key", "as_of", "rebuilt_at", "cursors"),
        "SavedPivot": ("id", "name", "query", "updated_at"),
    },
)
