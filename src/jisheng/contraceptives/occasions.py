"""Material handouts as records of another app's occasions (``core.occasions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jisheng.contraceptives.selectors.reports import handouts_at
from jisheng.core.occasions import OccasionRecord

if TYPE_CHECKING:
    from jisheng.accounts.models import User


def records_at(user: User, kind: str, occasion_id: int) -> list[OccasionRecord]:
    """The handouts given at the occasion that ``user`` may read."""
    return [
        OccasionRecord(
            title=handout.material,
            quantity=handout.quantity,
            day=handout.date,
            place=handout.point.name,
        )
        for handout in handouts_at(user, kind, occasion_id)
    ]
