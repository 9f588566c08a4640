"""What the exchange stores, field by field, in PIPL's terms (its part of the migrants data
inventory). Messages and notices carry ID numbers and names: encrypted. Peers are other
offices' configuration: no one's personal data."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

PERSONAL: dict[str, tuple[str, ...]] = {
    "Notice": ("person", "record", "id_number_masked"),
    "Query": ("asked_by", "id_number_masked"),
}
SENSITIVE: dict[str, tuple[str, ...]] = {
    "OutboxMessage": ("body",),
    "InboxMessage": ("body",),
    "Notice": ("name", "id_number", "feedback"),
    "Query": ("id_number", "answer"),
}
NEITHER: dict[str, tuple[str, ...]] = {
    "Peer": ("id", "region_code", "name", "base_url", "algorithm", "public_key", "added_at"),
    "OutboxMessage": (
        "id",
        "message_id",
        "peer",
        "kind",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "claim",
        "last_error",
        "created_at",
        "delivered_at",
    ),
    "InboxMessage": ("id", "message_id", "peer", "kind", "signed_at", "received_at"),
    "Notice": (
        "id",
        "direction",
        "peer",
        "message_id",
        "movement",
        "community",
        "moved_on",
        "notified_on",
        "due_on",
        "feedback_on",
        "feedback_message_id",
    ),
    "Query": (
        "id",
        "direction",
        "peer",
        "message_id",
        "org_unit",
        "legal_basis",
        "asked_at",
        "answered_at",
    ),
}

INVENTORY = DataInventory(personal=PERSONAL, sensitive=SENSITIVE, neither=NEITHER)
