"""What the core app stores, field by field, in PIPL's terms (the data inventory).

Personal: identifies or relates to a person (residents, and staff as users).
Sensitive: identity numbers, contact and bank details, health and reproductive data
(encrypted, or listed in ``plaintext_sensitive`` with the reason). A new field must be
added here, or ``tests/privacy/test_data_inventory.py`` fails."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

INVENTORY = DataInventory(
    personal={
        "TaskProgress": ("owner",),
        "IdempotencyKey": ("user",),
    },
    sensitive={},
    neither={
        "OrgUnit": (
            "id",
            "name",
            "kind",
            "code",
            "parent",
            "path",
            "is_demo",
        ),
        "TaskProgress": (
            "id",
            "kind",
            "state",
            "total",
            "done",
            "message",
            "result_file",
            "created_at",
            "updated_at",
        ),
        "CalendarDay": ("id", "day", "kind", "name"),
        "IdempotencyKey": (
            "id",
            "scope",
            "key",
            "fingerprint",
            "answer",
            "created_at",
        ),
    },
    plaintext_sensitive={},
)
