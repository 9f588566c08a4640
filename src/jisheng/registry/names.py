"""Name helpers: pinyin initials for searching Chinese names by what one hears."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Variant forms seen in names that pypinyin has no reading for, written as the common
# character read the same way (𠮷 is the "土吉" form of 吉, jí).
NAME_VARIANTS = str.maketrans({"𠮷": "吉"})


def _initial(part: str) -> str:
    first = part[:1]
    if first.isascii():
        return first.lower() if first.isalpha() else ""
    # No reading known even after the variant table: keep the character itself, so it is
    # never silently dropped and the letters after it keep their places.
    return first if unicodedata.category(first).startswith("L") else ""


def _unread(text: str) -> list[str]:
    """A run pypinyin cannot read: Latin words whole (one initial each), others one by one."""
    return text.split() if text.isascii() else list(text)


@lru_cache(maxsize=65536)
def name_initials(name: str) -> str:
    """张三明 → "zsm", 王𠮷 → "wj"; Latin words give their first letter, lower-cased.

    Compatibility ideographs are read as their unified forms (NFKC) and known name
    variants as their common character; a letter with no reading at all is kept as is.
    Digits, spaces and punctuation are dropped.
    """
    normal = unicodedata.normalize("NFKC", name).translate(NAME_VARIANTS)
    # pypinyin takes a callback returning a list too; its stubs say only str.
    letters = lazy_pinyin(normal, style=Style.FIRST_LETTER, errors=_unread)  # type: ignore[arg-type]
    return "".join(_initial(part) for part in letters)[:50]


def looks_like_initials(query: str) -> bool:
    return query.isascii() and query.isalpha()
