"""Idempotency keys for posting moves: a retried post returns the first result, never a
second set of moves. Keys belong to one user; reusing one for another request is refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.audit.services import Actor
from jisheng.contraceptives.models import IDEMPOTENCY_KEY_LENGTH, MoveRequestKey, StockMove
from jisheng.core.errors import Conflict, JishengError


@dataclass(frozen=True)
class Posted:
    """The moves of a post, and whether they come from an earlier post with the same key."""

    moves: list[StockMove]
    replayed: bool = False


def fingerprint(request: Mapping[str, object]) -> str:
    canonical = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(found: MoveRequestKey, digest: str) -> Posted:
    if found.fingerprint != digest:
        raise Conflict(
            _("This idempotency key was used for a different request."),
            code="idempotency_key_reused",
        )
    moves = list(StockMove.objects.filter(pk__in=found.move_ids).order_by("pk"))
    return Posted(moves=moves, replayed=True)


def post_once(
    *,
    actor: Actor,
    key: str | None,
    request: Mapping[str, object],
    post: Callable[[], list[StockMove]],
) -> Posted:
    """Run ``post`` once per (user, key); without a key, simply run it."""
    if not key:
        return Posted(moves=post())
    if len(key) > IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        raise JishengError(_("The idempotency key is not valid."), code="idempotency_key")
    digest = fingerprint(request)
    found = MoveRequestKey.objects.filter(user=actor.user, key=key).first()
    if found is not None:
        return _replay(found, digest)
    try:
        with transaction.atomic():
            moves = post()
            MoveRequestKey.objects.create(
                user=actor.user, key=key, fingerprint=digest, move_ids=[m.pk for m in moves]
            )
    except IntegrityError:
        # A parallel post with the same key committed first: answer with its result.
        found = MoveRequestKey.objects.filter(user=actor.user, key=key).first()
        if found is None:
            raise
        return _replay(found, digest)
    return Posted(moves=moves)
