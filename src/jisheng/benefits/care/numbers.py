"""Certificate verification numbers: how they are made and how a typed one is read back."""

from __future__ import annotations

import re
import secrets
import unicodedata

# Digits and capitals that cannot be mistaken for each other when read aloud or copied by
# hand: no 0/O, 1/I/L, and no U (Crockford's choice); 30 symbols, 8 of them ≈ 39 bits.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 8
NUMBER_PATTERN = re.compile(rf"JS-\d{{4}}-[{NUMBER_ALPHABET}]{{{NUMBER_LENGTH}}}")


def certification_number_new(year: int) -> str:
    """A fresh verification number: ``JS-<year>-`` and 8 unambiguous symbols from ``secrets``."""
    body = "".join(secrets.choice(NUMBER_ALPHABET) for _index in range(NUMBER_LENGTH))
    return f"JS-{year:04d}-{body}"


def certification_number_normalize(text: str) -> str:
    """What a person typed, in the stored form: full-width, case, spaces and dashes forgiven."""
    raw = unicodedata.normalize("NFKC", text).upper().strip()
    compact = re.sub(r"[^0-9A-Z]", "", raw)
    match = re.fullmatch(rf"JS(\d{{4}})([0-9A-Z]{{{NUMBER_LENGTH}}})", compact)
    return f"JS-{match[1]}-{match[2]}" if match else raw[:32]
