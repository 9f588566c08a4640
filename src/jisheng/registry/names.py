"""Name helpers: pinyin initials for searching Chinese names by what one hears."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def name_initials(name: str) -> str:
    """张三明 → "zsm"; Latin letters are kept, lower-cased; other characters dropped."""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(
        part[:1] for part in letters if part[:1].isascii() and part[:1].isalpha()
    ).lower()


def looks_like_initials(query: str) -> bool:
    return query.isascii() and query.isalpha()
