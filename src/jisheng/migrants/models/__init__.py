"""Floating-population models, one submodule per area; every model is re-exported here.

- ``records``: inflow and outflow records (built on registry persons and events);
- ``partners``: residential complexes, partners and their reports;
- ``exchange``: peers, the outbox and the inbox of the exchange between instances.
"""

from jisheng.migrants.models.partners import (
    Partner,
    PartnerKind,
    PartnerReport,
    ReportKind,
    ReportState,
    ResidentialComplex,
)
from jisheng.migrants.models.records import MigrantRecord, MoveKind, Verification

__all__ = [
    "MigrantRecord",
    "MoveKind",
    "Partner",
    "PartnerKind",
    "PartnerReport",
    "ReportKind",
    "ReportState",
    "ResidentialComplex",
    "Verification",
]
