"""What the contraceptives app stores, field by field, in PIPL's terms (the data inventory).

Personal: identifies or relates to a person (residents, and staff as users).
Sensitive: identity numbers, contact and bank details, health and reproductive data
(encrypted, or listed in ``plaintext_sensitive`` with the reason). A new field must be
added here, or ``tests/privacy/test_data_inventory.py`` fails."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

# Why a sensitive field is kept in clear: the database filters and counts by it.
IN_SQL = (
    "health data filtered and counted in SQL (worklists, indicators); its rows are read "
    "only with the health duty (the model's scope rule)"
)

INVENTORY = DataInventory(
    personal={
        "DistributionPoint": ("keeper",),
        "StockTransfer": ("recorded_by",),
        "StockCount": (
            "created_by",
            "posted_by",
        ),
        "StockMove": (
            "recorded_by",
            "person",
        ),
        "Consultation": ("worker",),
        "MaterialHandout": ("worker",),
        "RosterEntry": (
            "person",
            "person_name",
            "enrolled_by",
        ),
        "RosterFollowUp": (
            "date",
            "recorded_by",
        ),
    },
    sensitive={
        "RosterEntry": (
            "method",
            "start_date",
            "stop_date",
            "stop_reason",
            "notes",
        ),
        "RosterFollowUp": (
            "satisfaction",
            "side_effects",
            "notes",
            "switched_to",
        ),
    },
    neither={
        "Product": (
            "id",
            "name",
            "category",
            "unit",
            "pack_size",
            "code",
            "for_sex",
            "min_age",
            "is_active",
            "created_at",
        ),
        "Lot": (
            "id",
            "product",
            "number",
            "expiry_date",
            "created_at",
        ),
        "DistributionPoint": (
            "id",
            "name",
            "kind",
            "org_unit",
            "address",
            "is_active",
            "created_at",
        ),
        "StockThreshold": (
            "id",
            "point",
            "product",
            "minimum",
        ),
        "StockTransfer": (
            "id",
            "source",
            "destination",
            "document_number",
            "occurred_on",
            "recorded_at",
        ),
        "StockCount": (
            "id",
            "point",
            "count_date",
            "state",
            "note",
            "created_at",
            "posted_at",
        ),
        "StockCountLine": (
            "id",
            "count",
            "lot",
            "counted",
            "on_card",
            "reason",
            "note",
        ),
        "StockMove": (
            "id",
            "point",
            "lot",
            "kind",
            "quantity",
            "reason",
            "note",
            "document_number",
            "occurred_on",
            "recorded_at",
            "transfer",
            "stock_count",
            "unit_price",
            "reverses",
        ),
        "StockBalance": (
            "id",
            "point",
            "lot",
            "quantity",
            "updated_at",
        ),
        "IssueMonth": (
            "id",
            "point",
            "product",
            "month",
            "quantity",
        ),
        "Consultation": (
            "id",
            "point",
            "date",
            "topic",
            "people",
            "note",
            "recorded_at",
        ),
        "MaterialHandout": (
            "id",
            "point",
            "date",
            "material",
            "quantity",
            "note",
            "occasion_kind",
            "occasion_id",
            "recorded_at",
        ),
        "RosterEntry": (
            "id",
            "community",
            "point",
            "first_supply",
            "created_at",
        ),
        "RosterFollowUp": (
            "id",
            "entry",
            "recorded_at",
        ),
    },
    plaintext_sensitive={
        "RosterEntry.method": IN_SQL,
        "RosterEntry.start_date": IN_SQL,
        "RosterEntry.stop_date": IN_SQL,
        "RosterEntry.stop_reason": IN_SQL,
        "RosterFollowUp.satisfaction": IN_SQL,
        "RosterFollowUp.switched_to": IN_SQL,
    },
)
