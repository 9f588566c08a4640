"""Contraceptive supply records: catalogue and points, the stock ledger, the roster, outreach."""

from jisheng.contraceptives.models.catalogue import (
    DistributionPoint,
    Lot,
    Method,
    PointKind,
    Product,
    ProductCategory,
    StockThreshold,
)
from jisheng.contraceptives.models.ledger import (
    ALLOWED_REASONS,
    IssueMonth,
    MoveKind,
    MoveReason,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMove,
    StockTransfer,
)
from jisheng.contraceptives.models.outreach import Consultation, ConsultationTopic, MaterialHandout
from jisheng.contraceptives.models.roster import (
    RosterEntry,
    RosterFollowUp,
    Satisfaction,
    StopReason,
)

__all__ = [
    "ALLOWED_REASONS",
    "Consultation",
    "ConsultationTopic",
    "DistributionPoint",
    "IssueMonth",
    "Lot",
    "MaterialHandout",
    "Method",
    "MoveKind",
    "MoveReason",
    "PointKind",
    "Product",
    "ProductCategory",
    "RosterEntry",
    "RosterFollowUp",
    "Satisfaction",
    "StockBalance",
    "StockCount",
    "StockCountLine",
    "StockMove",
    "StockThreshold",
    "StockTransfer",
    "StopReason",
]
