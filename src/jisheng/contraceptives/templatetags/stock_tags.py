"""Small template helpers of the contraceptive pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def mask_name(name: str | None) -> str:
    """王春燕 → 王**: stock cards are printed and pinned up; names of users stay off them."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


@register.filter
def signed(value: int | None) -> str:
    """A difference with its sign (+3, −2, 0)."""
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else ("0" if value == 0 else f"−{-value}")
