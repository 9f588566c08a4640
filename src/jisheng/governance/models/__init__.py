"""Governance models, one submodule per area; every model is re-exported here.

- ``monitoring``: terminations, the sex-ratio monitor's settings, reconciliation marks;
- ``supervision``: leading groups, department duties, ultrasound devices, drug dispensing;
- ``cases``: 两非 case files.
"""

from jisheng.governance.models.cases import (
    Case,
    CaseEvidence,
    CaseResult,
    CaseStage,
    ClueSource,
    TransferTo,
)
from jisheng.governance.models.monitoring import (
    TERMINATION_REVIEW_WEEKS,
    ReviewState,
    Termination,
    TerminationImport,
    TerminationSource,
)
from jisheng.governance.models.supervision import (
    Department,
    DepartmentDuty,
    DeviceStatus,
    Dispensing,
    DispensingImport,
    GroupMember,
    Inspection,
    LeadingGroup,
    Outlet,
    OutletKind,
    Pledge,
    UltrasoundDevice,
    UltrasoundOperator,
)

__all__ = [
    "TERMINATION_REVIEW_WEEKS",
    "Case",
    "CaseEvidence",
    "CaseResult",
    "CaseStage",
    "ClueSource",
    "Department",
    "DepartmentDuty",
    "DeviceStatus",
    "Dispensing",
    "DispensingImport",
    "GroupMember",
    "Inspection",
    "LeadingGroup",
    "Outlet",
    "OutletKind",
    "Pledge",
    "ReviewState",
    "Termination",
    "TerminationImport",
    "TerminationSource",
    "TransferTo",
    "UltrasoundDevice",
    "UltrasoundOperator",
]
