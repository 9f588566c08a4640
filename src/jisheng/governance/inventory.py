"""What the governance app stores, field by field, in PIPL's terms (the data inventory).

Each area lists its own models; a new field must be added here, or
``tests/privacy/test_data_inventory.py`` fails."""

from __future__ import annotations

from jisheng.core.modules import DataInventory
from jisheng.governance.inventory_supervision import INVENTORY as SUPERVISION

REVIEW_LIST = (
    "the street's review list (a termination without a medical reason) is a query; rows are "
    "read only with the health duty (the model's scope rule)"
)

MONITORING = DataInventory(
    personal={
        "Termination": ("woman", "reviewed_by", "recorded_by"),
        "TerminationImport": ("imported_by",),
    },
    sensitive={
        "Termination": (
            "performed_on",
            "weeks",
            "medical_reason",
            "review",
            "review_note",
            "source",
        ),
    },
    neither={
        "Termination": (
            "id",
            "community",
            "pregnancy",
            "institution",
            "certificate",
            "imported_in",
            "reviewed_at",
            "created_at",
        ),
        "TerminationImport": (
            "id",
            "unit",
            "institution",
            "file_name",
            "digest",
            "row_count",
            "created_at",
        ),
    },
    plaintext_sensitive={
        "Termination.review": REVIEW_LIST,
        "Termination.source": REVIEW_LIST,
    },
)

# The app's one inventory: the monitoring models above and the supervision and case models.
INVENTORY = DataInventory(
    personal=MONITORING.personal | SUPERVISION.personal,
    sensitive=MONITORING.sensitive | SUPERVISION.sensitive,
    neither=MONITORING.neither | SUPERVISION.neither,
    plaintext_sensitive=MONITORING.plaintext_sensitive | SUPERVISION.plaintext_sensitive,
)
