"""Checks and display helpers for 居民身份证号码 (GB 11643-1999) and mobile numbers."""

from __future__ import annotations

import datetime
import re
from typing import Final
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ID_NUMBER_LENGTH",
    "MESSAGES",
    "IdNumberValidator",
    "birth_date_from_id",
    "id_number_check_digit",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "sex_from_id",
    "validate_id_number",
]

ID_NUMBER_LENGTH: Final = 18

# Weights W_i = 2^(17-i) mod 11 and the check character table, both from GB 11643-1999 §7.
_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS: Final = "10X98765432"

# Province-level codes of GB/T 2260 (71 台湾, 81 香港, 82 澳门 included).
_PROVINCE_CODES: Final = frozenset(
    f"{code:02d}"
    for first, last in (
        (11, 15),
        (21, 23),
        (31, 37),
        (41, 46),
        (50, 54),
        (61, 65),
        (71, 71),
        (81, 82),
    )
    for code in range(first, last + 1)
)

# 港澳台居民居住证 (issued since 2018) carry these province-level prefixes instead of a county:
# refusing them would reject genuine residence permits.
_RESIDENCE_PERMIT_PREFIXES: Final = frozenset({"810000", "820000", "830000"})

_EARLIEST_BIRTH_DATE: Final = datetime.date(1900, 1, 1)

# Birth dates on the card are Beijing time whatever the server's TIME_ZONE says.
_CHINA_TIME: Final = ZoneInfo("Asia/Shanghai")

# ASCII `[0-9]` because `\d` would also accept other scripts' digits.
_SHAPE: Final = re.compile(r"[0-9]{17}[0-9X]")
_FIRST17: Final = re.compile(r"[0-9]{17}")

_NORMALIZE_TABLE: Final = str.maketrans(
    {
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
        "Ｘ": "X",
        "ｘ": "X",
        "x": "X",
    }
)
_WHITESPACE: Final = re.compile(r"\s+")

MESSAGES: Final = {
    "length": _("An ID card number must be 18 characters long"),
    "format": _("An ID card number must be 17 digits followed by a digit or X"),
    "region": _("The region code in the ID card number is invalid"),
    "birth_date": _("The birth date in the ID card number is invalid"),
    "check_digit": _("The check digit of the ID card number is wrong"),
    "sex_mismatch": _("The ID card number does not match the sex"),
    "birth_date_mismatch": _("The ID card number does not match the date of birth"),
}


def normalize_id_number(value: str) -> str:
    """Return value without whitespace, with full-width digits/X made ASCII and x upper-cased."""
    return _WHITESPACE.sub("", value).translate(_NORMALIZE_TABLE)


def id_number_check_digit(first17: str) -> str:
    """Return the GB 11643 check character ("0"-"9" or "X") for 17 ASCII digits."""
    if _FIRST17.fullmatch(first17) is None:
        raise ValueError("the check digit needs exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def _shaped(value: str) -> str:
    """Return the normalized value, guaranteed to be 17 digits plus a digit or X."""
    number = normalize_id_number(value)
    if _SHAPE.fullmatch(number) is None:
        raise ValueError("not an 18-character ID card number")
    return number


def _parse_birth_date(number: str) -> datetime.date | None:
    """Return the date in positions 7-14 of a shaped number, or None if no such day exists."""
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def birth_date_from_id(value: str) -> datetime.date:
    """Return the birth date encoded in an ID number; ValueError if it has no real date."""
    birth_date = _parse_birth_date(_shaped(value))
    if birth_date is None:
        raise ValueError("the ID card number does not contain a real date")
    return birth_date


def sex_from_id(value: str) -> str:
    """Return "M" if the 17th digit of the ID number is odd, else "F"."""
    return "M" if int(_shaped(value)[16]) % 2 == 1 else "F"


def _region_is_valid(prefix: str) -> bool:
    """Return whether a 6-digit prefix is a county-level code under a GB/T 2260 province."""
    if prefix in _RESIDENCE_PERMIT_PREFIXES:
        return True
    return prefix[:2] in _PROVINCE_CODES and not prefix.endswith("00")


def _error(code: str) -> ValidationError:
    """Return a ValidationError carrying the translated message for code."""
    return ValidationError(MESSAGES[code], code=code)


def validate_id_number(
    value: str,
    *,
    sex: str | None = None,
    birth_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> str:
    """Return the normalized number, or raise ValidationError whose code names the first fault."""
    if sex not in (None, "M", "F"):
        raise ValueError(f"sex must be None, 'M' or 'F', not {sex!r}")
    number = normalize_id_number(value)
    if len(number) != ID_NUMBER_LENGTH:
        raise _error("length")
    if _SHAPE.fullmatch(number) is None:
        raise _error("format")
    if not _region_is_valid(number[:6]):
        raise _error("region")
    encoded_birth_date = _parse_birth_date(number)
    if today is None:
        today = datetime.datetime.now(_CHINA_TIME).date()
    if encoded_birth_date is None or not _EARLIEST_BIRTH_DATE <= encoded_birth_date <= today:
        raise _error("birth_date")
    if id_number_check_digit(number[:17]) != number[17]:
        raise _error("check_digit")
    if sex is not None and sex_from_id(number) != sex:
        raise _error("sex_mismatch")
    if birth_date is not None and encoded_birth_date != birth_date:
        raise _error("birth_date_mismatch")
    return number


@deconstructible(path="jisheng.core.idnumber.IdNumberValidator")
class IdNumberValidator:
    """Field validator that raises ValidationError exactly when validate_id_number would."""

    def __call__(self, value: str) -> None:
        """Raise ValidationError if value is not a valid ID card number."""
        validate_id_number(value)

    def __eq__(self, other: object) -> bool:
        """Return whether other is also an IdNumberValidator (all instances behave alike)."""
        # Without __eq__ makemigrations would see a changed validator on every run.
        return isinstance(other, IdNumberValidator)

    def __hash__(self) -> int:
        """Return the same hash for every instance, consistent with __eq__."""
        return hash(IdNumberValidator)


def _mask_all_but_last_four(value: str) -> str:
    """Return value with every character but the last four replaced by "*"."""
    # A value of four characters or fewer would be shown whole, so hide it entirely.
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_id_number(value: str) -> str:
    """Return an 18-character number as first 6 + 8 "*" + last 4; else all but last 4 masked."""
    number = normalize_id_number(value)
    if len(number) == ID_NUMBER_LENGTH:
        return number[:6] + "*" * 8 + number[-4:]
    return _mask_all_but_last_four(number)


_MOBILE: Final = re.compile(r"1[0-9]{10}")
_PHONE_SEPARATORS: Final = re.compile(r"[\s-]+")


def mask_phone(value: str) -> str:
    """Return an 11-digit mobile as first 3 + "****" + last 4; else all but last 4 masked."""
    phone = _PHONE_SEPARATORS.sub("", value)
    if _MOBILE.fullmatch(phone) is not None:
        return phone[:3] + "****" + phone[-4:]
    return _mask_all_but_last_four(phone)
