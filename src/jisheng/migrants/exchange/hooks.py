"""What the records side tells the exchange, inside its own transaction.

The record services call these in the transaction that creates or ends a record, so the
outbox row (when the other region is a registered peer) commits or rolls back with it.
Which peer: the one whose region code is the longest prefix of the record's region code
(``services.peer_for_region``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisheng.migrants.exchange import services

if TYPE_CHECKING:
    from jisheng.migrants.models import MigrantRecord


def record_opened(record: MigrantRecord) -> None:
    """An inflow or outflow record was created: notify the other region if it is a peer."""
    services.notice_for_record(record)


def record_ended(record: MigrantRecord) -> None:
    """A record was ended (the person left or came back): notify the other region if a peer."""
    services.notice_for_record(record, ended=True)
