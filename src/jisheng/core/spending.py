"""Money spent is recorded once, where it is spent, and handed to the funds ledger.

A module that spends (a paid benefit line, a hardship visit's cost, a stock receipt, a
publicity activity, a training) calls :func:`record_spending` inside the transaction that
records the spending, with one :class:`Spending` per funding level. Domain apps never import
each other, so the ledger is reached through this hook: the installed app that keeps the
ledger names its receiver in ``ModuleConfig.spending_receiver``. With no ledger installed the
call does nothing, and the spending module works on its own.

A wrong entry is never edited: the source records the reversal as another ``Spending`` with
a negative amount and ``reverses`` naming the original source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Protocol

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from jisheng.accounts.models import User


class SpendingCategory:
    """The category codes sources name; the ledger keeps categories as data under these codes
    (labels, order, further categories are the ledger's)."""

    BENEFITS = "benefits"  # 奖励扶助金
    SERVICE_STATION = "service_station"  # 服务站建设
    GOVERNANCE = "governance"  # 城区管理与打击两非
    PUBLICITY = "publicity"  # 宣传
    PREPREGNANCY = "prepregnancy"  # 免费孕检
    CENSUS = "census"  # 清理清查
    CONTRACEPTIVES = "contraceptives"  # 药具
    TRAINING = "training"  # 培训
    OTHER = "other"


@dataclass(frozen=True)
class Spending:
    """One amount spent from one funding level, tied to the record that spent it.

    ``source`` names the kind of record (``"benefits.payment"``) and ``source_id`` the row;
    together with ``level`` they identify the entry, so a source handing the same spending
    twice is recorded once. ``level`` is a funding level code (district, street, community…);
    ``org_unit_id`` the unit where it was spent (the ledger charges it to that unit's budget
    line of the level, else the nearest enclosing unit's). ``record_view`` and ``record_id``
    name the page of the record that spent it (a view taking one id), for the ledger to link.
    """

    source: str
    source_id: int
    amount: Decimal
    day: dt.date
    category: str
    level: str
    org_unit_id: int
    description: str = ""
    reverses: bool = False
    record_view: str = ""
    record_id: int | None = None


CENT = Decimal("0.01")


def by_shares(amount: Decimal, shares: Mapping[str, int | Decimal]) -> list[tuple[str, Decimal]]:
    """``amount`` split by percent ``shares`` per level, in fen, summing exactly to ``amount``
    (the last level takes the rounding); no shares: the street pays it all."""
    levels = [(level, Decimal(share)) for level, share in shares.items() if Decimal(share) > 0]
    if not levels:
        return [("street", amount)]
    whole = sum((share for _level, share in levels), Decimal(0))
    parts: list[tuple[str, Decimal]] = []
    left = amount
    for index, (level, share) in enumerate(levels):
        part = left if index == len(levels) - 1 else (amount * share / whole).quantize(CENT)
        parts.append((level, part))
        left -= part
    return parts


class SpendingReceiver(Protocol):
    """What the ledger app provides: takes the entries in the caller's transaction."""

    def __call__(self, entries: Sequence[Spending], *, actor: User) -> None: ...


@cache
def _receivers() -> tuple[Callable[..., None], ...]:
    from jisheng.core.modules import module_configs

    return tuple(
        import_string(config.spending_receiver)
        for config in module_configs()
        if config.spending_receiver
    )


def record_spending(entries: Sequence[Spending], *, actor: User) -> None:
    """Hand spending to the installed ledger (none installed: nothing happens).

    Call inside the transaction that records the spending, so both are kept or neither.
    """
    if not entries:
        return
    for receive in _receivers():
        receive(entries, actor=actor)
