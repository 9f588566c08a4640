from __future__ import annotations

from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """One object in community 2 per route parameter of visits, certifications, re-verification."""
    return {}
