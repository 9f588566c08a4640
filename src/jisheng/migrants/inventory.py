"""What the floating-population app stores, field by field, in PIPL's terms (the data
inventory). Where a person lives and how to reach them is encrypted (a movement record)."""

from __future__ import annotations

from jisheng.core.modules import DataInventory
from jisheng.migrants.exchange.inventory import INVENTORY as EXCHANGE

RECORDS = DataInventory(
    personal={
        "MigrantRecord": (
            "person",
            "region_code",
            "moved_on",
            "ended_on",
            "employer",
            "complex",
            "landlord",
            "created_by",
        ),
        "Verification": ("record", "changes", "note", "visited_by"),
        "Partner": ("name", "account", "created_by"),
        "ResidentialComplex": ("created_by",),
        "PartnerReport": (
            "name",
            "sex",
            "birth_date",
            "id_number_masked",
            "hukou_type",
            "region_code",
            "employer",
            "moved_on",
            "note",
            "reported_by",
            "decided_by",
            "reason",
            "record",
        ),
    },
    sensitive={
        "MigrantRecord": ("address", "contact"),
        "Partner": ("contact",),
        "PartnerReport": ("id_number", "phone", "address"),
    },
    neither={
        "MigrantRecord": (
            "id",
            "kind",
            "community",
            "move_event",
            "end_event",
            "last_verified_on",
            "created_at",
            "updated_at",
        ),
        "Verification": ("id", "community", "visited_on", "created_at"),
        "Partner": ("id", "kind", "community", "complex", "created_at"),
        "ResidentialComplex": (
            "id",
            "community",
            "name",
            "address",
            "property_company",
            "created_at",
        ),
        "PartnerReport": (
            "id",
            "partner",
            "community",
            "complex",
            "kind",
            "state",
            "reported_at",
            "decided_at",
        ),
    },
)

# The app's one inventory: records and partners above, the exchange's models beside them.
INVENTORY = DataInventory(
    personal=RECORDS.personal | EXCHANGE.personal,
    sensitive=RECORDS.sensitive | EXCHANGE.sensitive,
    neither=RECORDS.neither | EXCHANGE.neither,
    plaintext_sensitive=RECORDS.plaintext_sensitive | EXCHANGE.plaintext_sensitive,
)
