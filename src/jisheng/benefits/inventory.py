"""What the benefits app stores, field by field, in PIPL's terms (the data inventory).

Personal: identifies or relates to a person (residents, and staff as users).
Sensitive: identity numbers, contact and bank details, health and reproductive data
(encrypted, or listed in ``plaintext_sensitive`` with the reason). A new field must be
added here, or ``tests/privacy/test_data_inventory.py`` fails."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

INVENTORY = DataInventory(
    personal={
        "DisabilityRecord": (
            "person",
            "recorded_on",
            "recorded_by",
        ),
        "Visit": (
            "person",
            "date",
            "visitors",
            "given",
            "cost",
            "note",
            "recorded_by",
        ),
        "VisitPhoto": ("file",),
        "Certification": (
            "person",
            "number",
            "purpose",
            "details",
            "issued_on",
            "issued_by",
            "status",
            "revoked_reason",
            "revoked_by",
            "revoked_at",
        ),
        "PublicNotice": ("published_by",),
        "Application": (
            "person",
            "payee",
            "spouse",
            "unit_key",  # names the beneficiary's record numbers (couple: both spouses)
            "state",
            "explanation",
            "note",
            "created_by",
        ),
        "Transition": (
            "action",
            "from_state",
            "to_state",
            "comment",
            "actor",
            "at",
        ),
        "ApplicationDocument": (
            "title",
            "file",
            "uploaded_by",
        ),
        "Objection": (
            "received_on",
            "content",
            "recorded_by",
            "resolution",
            "upheld",
            "resolved_by",
            "resolved_at",
        ),
        "Entitlement": (
            "person",
            "payee",
            "spouse",
            "unit_key",
            "start_date",
            "end_date",
            "status",
            "stop_reason",
        ),
        "PaymentBatch": (
            "built_by",
            "reviewed_by",
            "approved_by",
            "correction_reason",  # free text that may name the person paid again
        ),
        "Payment": (
            "period",
            "person",
            "payee",
            "unit_key",
            "kind",
            "months",
            "amount",
            "status",
            "failure_reason",
            "settled_by",
            "settled_at",
        ),
        "ReviewCampaign": ("created_by",),
        # Find-eligible snapshots: who qualified, evaluated once by the worker so that pages
        # do not run the rule over the whole scope per request. Derived from the registry,
        # replaced by each refresh (older snapshots of the same list are deleted) and deleted
        # by the worker's maintenance once older than JISHENG_SNAPSHOT_MAX_AGE_HOURS, gone with
        # the resident's record; the name is copied as the sort key the page seeks by.
        "EligibleSnapshot": ("taken_by",),
        "EligibleSnapshotRow": (
            "person",
            "name",
            "spouse_name",
        ),
        "ReviewItem": (
            "flags",
            "decision",
            "comment",
            "decided_by",
            "decided_at",
        ),
    },
    sensitive={
        "DisabilityRecord": (
            "grade",
            "certificate_number",
        ),
        "Application": ("bank_account",),
        "Objection": ("objector_contact",),
    },
    neither={
        "Program": (
            "id",
            "code",
            "name",
            "category",
            "policy_document",
            "source_note",
            "verify_locally",
            "unit",
            "rule",
            "benefit_kind",
            "amount",
            "amount_per",
            "amount_tiers",
            "cycle",
            "proration",
            "in_kind_description",
            "valid_from",
            "valid_to",
            "funding_shares",
            "notice_days",
            "status",
            "created_at",
            "updated_at",
        ),
        "DisabilityRecord": ("id",),
        "Visit": (
            "id",
            "program",
            "community",
            "household",
            "recorded_at",
        ),
        "VisitPhoto": (
            "id",
            "visit",
            "uploaded_at",
        ),
        "Certification": (
            "id",
            "program",
            "community",
        ),
        "PublicNotice": (
            "id",
            "program",
            "org_unit",
            "title",
            "starts_on",
            "days",
            "ends_on",
            "published_at",
        ),
        "Application": (
            "id",
            "program",
            "community",
            "notice",
            "created_at",
            "updated_at",
        ),
        "Transition": (
            "id",
            "application",
        ),
        "ApplicationDocument": (
            "id",
            "application",
            "uploaded_at",
        ),
        "Objection": (
            "id",
            "notice",
            "application",
        ),
        "Entitlement": (
            "id",
            "program",
            "community",
            "application",
            "created_at",
        ),
        "PaymentBatch": (
            "id",
            "program",
            "org_unit",
            "period",
            "period_start",
            "period_end",
            "state",
            "approved_total",
            "approved_count",
            "built_at",
            "reviewed_at",
            "approved_at",
            "build_progress",
            "imported_history",
            "import_digest",
            "import_file_name",
        ),
        "Payment": (
            "id",
            "batch",
            "program",
            "entitlement",
            "community",
            "reverses",
            "corrects",
        ),
        "EligibleSnapshot": (
            "id",
            "program",
            "as_of",
            "org_unit",
            "progress",
            "queued_at",
            "taken_at",
            "event_mark",
            "disability_mark",
            "total",
        ),
        "EligibleSnapshotRow": (
            "id",
            "snapshot",
            "community",
            "community_code",
        ),
        "ReviewCampaign": (
            "id",
            "program",
            "org_unit",
            "year",
            "created_at",
        ),
        "ReviewItem": (
            "id",
            "campaign",
            "entitlement",
            "community",
        ),
    },
    plaintext_sensitive={
        "DisabilityRecord.grade": (
            "eligibility rules select by disability grade in SQL; read only within scope"
        ),
        "DisabilityRecord.certificate_number": (
            "known gap, to be encrypted: printed on certificates, not yet an EncryptedTextField"
        ),
    },
)
