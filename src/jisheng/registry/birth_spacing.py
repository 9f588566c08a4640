"""How close two births of one mother may be: the one rule the birth event and the import of
families both apply (without the database, so the import's check pass can run it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from jisheng.core.errors import JishengError

# Below about 22 weeks no child survives to be registered; two deliveries are further apart.
MIN_DAYS_BETWEEN_BIRTHS = 150


def conflicting_birth(born: dt.date, others: Iterable[dt.date]) -> dt.date | None:
    """The first of ``others`` (the mother's other children's birth dates) too close to
    ``born`` to be another delivery, or None; the same day is one delivery (twins)."""
    for other in others:
        if other != born and abs((born - other).days) < MIN_DAYS_BETWEEN_BIRTHS:
            return other
    return None


def spacing_message(other: dt.date) -> str:
    return _(
        "The mother already has a child born on %(date)s: two births of one mother lie at "
        "least %(days)s days apart, unless they are on the same day (twins)."
    ) % {"date": other.isoformat(), "days": MIN_DAYS_BETWEEN_BIRTHS}


def require_spacing(born: dt.date, others: Iterable[dt.date]) -> None:
    """Nothing, or a 400 naming the other child's birth date that ``born`` is too close to."""
    other = conflicting_birth(born, others)
    if other is not None:
        raise JishengError(spacing_message(other), code="birth_too_close")
