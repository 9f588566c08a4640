"""The wire format: one message is one canonical JSON object, signed as sent.

The signature covers the exact body bytes, so any change in transit fails it. Headers name
the sender's region, the algorithm and the signature; the body repeats the sender and names
the recipient, so a message signed for one peer cannot be replayed to another.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

REGION_HEADER = "X-Jisheng-Region"
ALGORITHM_HEADER = "X-Jisheng-Algorithm"
SIGNATURE_HEADER = "X-Jisheng-Signature"
MESSAGES_PATH = "/api/exchange/peer/messages"
PING_PATH = "/api/exchange/peer/ping"
VERSION = 1


def canonical(value: dict[str, Any]) -> bytes:
    """The one byte form of a JSON object: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Envelope:
    """A message as signed: who sends it to whom, when, what kind, and its body."""

    message_id: uuid.UUID
    kind: str
    sender: str
    recipient: str
    signed_at: dt.datetime
    body: dict[str, Any]

    def to_bytes(self) -> bytes:
        return canonical(
            {
                "v": VERSION,
                "id": str(self.message_id),
                "kind": self.kind,
                "from": self.sender,
                "to": self.recipient,
                "at": self.signed_at.isoformat(),
                "body": self.body,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        """Parse a received body; ValueError when it is not a well-formed message."""
        value = json.loads(data)
        if not isinstance(value, dict) or value.get("v") != VERSION:
            raise ValueError("not a message of this version")
        body = value.get("body")
        signed_at = dt.datetime.fromisoformat(str(value.get("at")))
        if not isinstance(body, dict) or signed_at.tzinfo is None:
            raise ValueError("no body or no time zone")
        return cls(
            message_id=uuid.UUID(str(value.get("id"))),
            kind=str(value.get("kind")),
            sender=str(value.get("from")),
            recipient=str(value.get("to")),
            signed_at=signed_at,
            body=body,
        )
