"""What the records side tells the exchange, inside its own transaction.

The record services call these in the transaction that creates or ends a record, so the
outbox row (when the other region is a registered peer) commits or rolls back with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jisheng.migrants.models import MigrantRecord


def record_opened(record: MigrantRecord) -> None:
    """An inflow or outflow record was created: notify the other region if it is a peer."""


def record_ended(record: MigrantRecord) -> None:
    """A record was ended (the person left or came back): notify the other region if a peer."""
