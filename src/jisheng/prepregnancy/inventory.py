"""What the prepregnancy app stores, field by field, in PIPL's terms (the data inventory).

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
        "TargetCouple": (
            "husband",
            "wife",
            "source",
            "entered_on",
            "state",
            "closed_on",
            "last_contact",
            "state_rank",
            "worklist_date",
            "created_by",
        ),
        "Contact": (
            "method",
            "outcome",
            "date",
            "appointment_date",
            "note",
            "worker",
        ),
        "SmsOptOut": (
            "person",
            "recorded_by",
        ),
        "Checkup": (
            "person",
            "spouse",
            "institution",
            "date",
            "recorded_by",
        ),
        "Referral": (
            "assignee",
            "completed_by",
        ),
        "Pregnancy": ("woman", "reported_by"),
        "FollowUp": (
            "assignee",
            "done_by",
        ),
    },
    sensitive={
        "TargetCouple": ("planning_since",),
        "Checkup": (
            "items",
            "results",
            "reproductive_history",
            "risk_level",
            "risk_factors",
            "advice",
        ),
        "Referral": (
            "due_date",
            "state",
            "completed_on",
            "result",
        ),
        "Pregnancy": (
            "reported_on",
            "expected_on",
            "last_period",
            "closed",
            "outcome",
            "outcome_date",
            "outcome_details",
        ),
        "FollowUp": (
            "kind",
            "due_date",
            "state",
            "done_on",
            "findings",
        ),
    },
    neither={
        "TargetCouple": (
            "id",
            "community",
            "marriage",
            "created_at",
            "updated_at",
        ),
        "Contact": (
            "id",
            "couple",
            "created_at",
        ),
        "SmsOptOut": (
            "id",
            "created_at",
        ),
        "WorklistRefresh": (
            "unit",
            "refreshed_at",
        ),
        "RiskFactor": (
            "id",
            "code",
            "name",
            "category",
            "applies_to",
            "active",
            "sort_order",
        ),
        "Checkup": (
            "id",
            "couple",
            "created_at",
        ),
        "Referral": (
            "id",
            "checkup",
            "couple",
            "community",
            "created_at",
        ),
        "Pregnancy": (
            "id",
            "couple",
            "community",
            "source",
            "birth_event",
            "created_at",
        ),
        "FollowUp": (
            "id",
            "pregnancy",
            "couple",
            "community",
            "created_at",
        ),
    },
    plaintext_sensitive={
        "TargetCouple.planning_since": IN_SQL,
        "Checkup.items": IN_SQL,
        "Checkup.risk_level": IN_SQL,
        "Pregnancy.reported_on": IN_SQL,
        "Pregnancy.closed": IN_SQL,
        "Pregnancy.expected_on": (
            "the overdue list (no outcome weeks after the expected date) is one range query; "
            "kept only while the pregnancy is open, read only with the health duty"
        ),
        "FollowUp.kind": IN_SQL,
        "FollowUp.due_date": IN_SQL,
        "FollowUp.state": IN_SQL,
        "FollowUp.done_on": IN_SQL,
        "Referral.due_date": IN_SQL,
        "Referral.state": IN_SQL,
        "Referral.completed_on": IN_SQL,
    },
)
