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
    IDEMPOTENCY_KEY_LENGTH,
    MoveKind,
    MoveReason,
    MoveRequestKey,
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
    "IDEMPOTENCY_KEY_LENGTH",
    "Consultation",
    "ConsultationTopic",
    "DistributionPoint",
    "Lot",
    "MaterialHandout",
    "Method",
    "MoveKind",
    "MoveReason",
    "MoveRequestKey",
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
