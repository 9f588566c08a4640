"""Masking as customary on public lists: 张*明, 李*; ID numbers are masked by the registry."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Keep the first and last character of a name; a two-character name keeps the first."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
