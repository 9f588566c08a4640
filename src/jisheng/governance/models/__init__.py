"""Governance models, one submodule per area; every model is re-exported here.

- ``monitoring``: terminations, the sex-ratio monitor's settings, reconciliation marks;
- ``supervision``: leading groups, department duties, ultrasound devices, drug dispensing;
- ``cases``: 两非 case files.
"""

from jisheng.governance.models.monitoring import (
    TERMINATION_REVIEW_WEEKS,
    ReviewState,
    Termination,
    TerminationImport,
    TerminationSource,
)

__all__ = [
    "TERMINATION_REVIEW_WEEKS",
    "ReviewState",
    "Termination",
    "TerminationImport",
    "TerminationSource",
]
