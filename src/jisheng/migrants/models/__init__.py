"""Floating-population models, one submodule per area; every model is re-exported here.

- ``records``: inflow and outflow records (built on registry persons and events);
- ``partners``: residential complexes, partners and their reports;
- ``exchange``: peers, the outbox and the inbox of the exchange between instances.
"""

from jisheng.migrants.models.exchange import (
    Direction,
    InboxMessage,
    MessageKind,
    Movement,
    Notice,
    OutboxMessage,
    OutboxState,
    Peer,
    Query,
)
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
    "Direction",
    "InboxMessage",
    "MessageKind",
    "MigrantRecord",
    "MoveKind",
    "Movement",
    "Notice",
    "OutboxMessage",
    "OutboxState",
    "Partner",
    "PartnerKind",
    "PartnerReport",
    "Peer",
    "Query",
    "ReportKind",
    "ReportState",
    "ResidentialComplex",
    "Verification",
]
