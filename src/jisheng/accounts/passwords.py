"""Password rules beyond Django's own validators: character classes, no repeated user name,
and a change that really changes the password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: lower-case, upper-case, digits, other characters."""

    min_classes = 3

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least three of: lower-case letters, "
                    "upper-case letters, digits and symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least three of: lower-case letters, upper-case letters, digits and symbols."
        )


def _letters_and_digits(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


class UsernameRepetitionValidator:
    """Refuse the user name written twice or more (``adminadmin``), which Django's
    similarity check lets through because it compares with the name written once."""

    def validate(self, password: str, user: Any = None) -> None:
        name = _letters_and_digits(getattr(user, "username", "") or "")
        typed = _letters_and_digits(password)
        if name and len(typed) >= 2 * len(name) and typed == name * (len(typed) // len(name)):
            raise ValidationError(
                _("The password must not be the user name written again and again."),
                code="password_repeats_username",
            )

    def get_help_text(self) -> str:
        return _("Do not use your user name, written once or several times.")


class CurrentPasswordValidator:
    """Refuse the password the account already has, so that a change changes it."""

    def validate(self, password: str, user: Any = None) -> None:
        encoded = getattr(user, "password", "") or ""
        # hashers.check_password, not user.check_password: no re-hash is saved as a side effect.
        if encoded and check_password(password, encoded):
            raise ValidationError(
                _("The new password must differ from the current one."),
                code="password_unchanged",
            )

    def get_help_text(self) -> str:
        return _("The new password must differ from the current one.")
