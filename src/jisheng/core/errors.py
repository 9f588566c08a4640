"""One project error type: services raise it, pages show it, the API turns it into JSON."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class JishengError(Exception):
    """A refused operation with a stable machine code and a message for people."""

    code = "invalid"
    status = 400
    default_message: str | Promise = _("The request was refused.")

    def __init__(self, message: str | Promise | None = None, *, code: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))
        if code is not None:
            self.code = code

    @property
    def problems(self) -> list[str]:
        """Each thing wrong, for a form to show one per line (here: the message)."""
        return [str(self.message)]


class NotFound(JishengError):
    """The record does not exist or lies outside the user's scope (never say which)."""

    code = "not_found"
    status = 404
    default_message = _("The record does not exist, or lies outside your area.")


class Forbidden(JishengError):
    """The user's roles do not allow the operation."""

    code = "forbidden"
    status = 403
    default_message = _("Your role does not allow this.")


class Conflict(JishengError):
    """The operation clashes with existing data (duplicate, wrong state)."""

    code = "conflict"
    status = 409


class NeedsConfirmation(Conflict):
    """The operation looks like a mistake: it runs only when the user confirms the warnings.

    Not a refusal of something impossible: the caller repeats the request confirmed
    (a form shows the warnings with a box to tick; the API takes ``confirm: true``).
    """

    code = "confirmation_required"

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("；".join(warnings))
        self.warnings = warnings

    @property
    def problems(self) -> list[str]:
        return self.warnings
