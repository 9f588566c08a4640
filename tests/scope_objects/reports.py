from __future__ import annotations

from jisheng.core.actors import Actor
from jisheng.reports.pivot import services
from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """A favourite pivot question of community 2's worker (favourites are their owner's)."""
    saved = services.favourite_save(
        actor=Actor(user=ctx.other_worker), name="二社区出生", query="measure=births&rows=unit"
    )
    return {"favourite_id": str(saved.pk)}
