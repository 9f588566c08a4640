"""Idempotency for posting moves (core.idempotency): a retried post returns the first result,
never a second set of moves; reusing a key for another request is refused."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from jisheng.contraceptives.models import StockMove
from jisheng.core.actors import Actor
from jisheng.core.idempotency import run_once
from jisheng.core.permissions import require
from jisheng.core.roles import Capability

# Pages (keys ``form:…``) and API share one key space per user, as before.
SCOPE = "contraceptives.moves"


@dataclass(frozen=True)
class Posted:
    """The moves of a post, and whether they come from an earlier post with the same key."""

    moves: list[StockMove]
    replayed: bool = False


def _load(move_ids: list[int]) -> list[StockMove]:
    return list(StockMove.objects.filter(pk__in=move_ids).order_by("pk"))


def post_once(
    *,
    actor: Actor,
    key: str | None,
    request: Mapping[str, object],
    post: Callable[[], list[StockMove]],
) -> Posted:
    """Run ``post`` once per (user, key); without a key, simply run it."""
    # Only stock managers post moves: refused before the key is even looked at.
    require(actor, Capability.MANAGE_STOCK)
    once = run_once(
        user=actor.user,
        scope=SCOPE,
        key=key,
        request=request,
        run=post,
        store=lambda moves: [move.pk for move in moves],
        load=_load,
    )
    return Posted(moves=once.value, replayed=once.replayed)
