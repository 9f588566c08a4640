"""Text messages through a pluggable backend.

``settings.JISHENG_SMS_BACKEND`` names a class with ``send(messages) -> SmsDelivery`` that
says what it really did, and raises ``SmsError`` when the messages could not be handed over
(failed). The default, :class:`FileBackend`, writes each message to a file under
``settings.JISHENG_SMS_DIR`` (the instance folder): the messages are *queued* there, not
sent, so a new instance works without a gateway and nobody is told a couple was reached.
A gateway backend returns ``SENT`` once the gateway has accepted the messages.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from jisheng.core.errors import JishengError


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class SmsDelivery(StrEnum):
    """What a backend did with the messages it was given."""

    # Written where someone must still send them (the file backend): no one has been told.
    QUEUED = "queued"
    # Accepted by a gateway for delivery.
    SENT = "sent"


class SmsError(JishengError):
    """The gateway did not take the messages; nothing was logged as sent."""

    code = "sms_failed"
    status = 502
    default_message = _("The text message could not be sent. Try again later.")


class SmsBackend(Protocol):
    def send(self, messages: Sequence[SmsMessage]) -> SmsDelivery:
        """Hand every message over and say how far they went, or raise SmsError."""


class FileBackend:
    """Writes each message to its own file: ``<JISHENG_SMS_DIR>/<date>/<time>-<id>.txt``.

    The messages are queued, not sent: the files wait for someone to send them by hand.
    """

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory or settings.JISHENG_SMS_DIR)

    def send(self, messages: Sequence[SmsMessage]) -> SmsDelivery:
        now = timezone.localtime()
        folder = self.directory / f"{now:%Y-%m-%d}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for message in messages:
                path = folder / f"{now:%H%M%S}-{uuid.uuid4().hex[:12]}.txt"
                # The file holds a phone number: readable by the instance's owner only.
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    handle.write(f"To: {message.to}\nDate: {now.isoformat()}\n\n{message.body}\n")
        except OSError as exc:
            raise SmsError() from exc
        return SmsDelivery.QUEUED


def get_backend() -> SmsBackend:
    """An instance of the configured backend class."""
    backend_class = import_string(settings.JISHENG_SMS_BACKEND)
    backend: SmsBackend = backend_class()
    return backend
