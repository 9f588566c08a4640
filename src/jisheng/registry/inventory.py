"""What the registry app stores, field by field, in PIPL's terms (the data inventory).

Personal: identifies or relates to a person (residents, and staff as users).
Sensitive: identity numbers, contact and bank details, health and reproductive data
(encrypted, or listed in ``plaintext_sensitive`` with the reason). A new field must be
added here, or ``tests/privacy/test_data_inventory.py`` fails."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

INVENTORY = DataInventory(
    personal={
        "Person": (
            "name",
            "name_initials",
            "sex",
            "birth_date",
            "id_number_index",
            "id_number_masked",
            "phone_index",
            "phone_masked",
            "ethnicity",
            "hukou_division",
            "hukou_type",
            "is_floating",
            "address",
            "marital_status",
            "status",
            "reported_by",
        ),
        "Household": (
            "number",
            "address",
            "head",
            # The head's name and initials, copied for the search (migration 0014).
            "head_name",
            "head_initials",
        ),
        "HouseholdMember": (
            "person",
            "relation",
            "start_date",
            "end_date",
        ),
        "Marriage": (
            "husband",
            "wife",
            "date",
            "end_date",
            "end_reason",
        ),
        "ParentLink": (
            "parent",
            "child",
        ),
        "LifeEvent": (
            "kind",
            "person",
            "other_person",
            "date",
            "note",
            "data",
            "before",
            "recorded_by",
        ),
        "DuplicateFlag": (
            "person",
            "candidate",
            "reason",
            "state",
            "resolved_by",
            "resolved_at",
        ),
        "NonResident": ("person", "death_date"),
        "PersonImport": (
            "owner",
            "file_name",
            "error_rows",
        ),
    },
    sensitive={
        "Person": (
            "id_number",
            "phone",
        ),
        "NonResident": ("disability_grade",),
    },
    neither={
        "Person": (
            "id",
            "community",
            "created_at",
            "updated_at",
        ),
        "Household": (
            "id",
            "community",
            "created_at",
        ),
        "HouseholdMember": (
            "id",
            "household",
        ),
        "Marriage": (
            "id",
            "community",
        ),
        "ParentLink": ("id",),
        "LifeEvent": (
            "id",
            "community",
            "reverses",
            "recorded_at",
        ),
        "DuplicateFlag": (
            "id",
            "community",
            "created_at",
        ),
        "PersonImport": (
            "id",
            "community",
            "stored_file",
            "runner",
            "state",
            "total_rows",
            "created_count",
            "unchanged_count",
            "message",
            "progress",
            "created_at",
        ),
    },
    plaintext_sensitive={
        "NonResident.disability_grade": (
            "eligibility rules select by disability grade in SQL (as DisabilityRecord.grade); "
            "read only within scope"
        ),
    },
)
