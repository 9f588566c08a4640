"""What the audit app stores, field by field, in PIPL's terms (the data inventory).

Personal: identifies or relates to a person (residents, and staff as users).
Sensitive: identity numbers, contact and bank details, health and reproductive data
(encrypted, or listed in ``plaintext_sensitive`` with the reason). A new field must be
added here, or ``tests/privacy/test_data_inventory.py`` fails."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

INVENTORY = DataInventory(
    personal={
        "AuditEvent": (
            "user_id",
            "username",
            "ip",
        ),
        # "user:<id>" or "ip:<address>": whom a window of refusals counts.
        "DeniedWindow": ("key",),
        "SecurityAlert": ("user_id", "username", "ip", "key"),
    },
    sensitive={},
    neither={
        "AuditEvent": (
            "id",
            "at",
            "roles",
            "action",
            "object_type",
            "object_id",
            "result",
            "detail",
            "seq",
            "prev_hash",
            "chain_hash",
        ),
        "AuditChain": ("id", "seq", "chain_hash", "anchor_seq", "anchor_hash"),
        "DeniedWindow": ("id", "window_start", "refusals"),
        "SecurityAlert": ("id", "at", "refusals", "minutes"),
    },
    plaintext_sensitive={},
)
