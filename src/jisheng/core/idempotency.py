"""One idempotency mechanism for writes: a retried request with the same key gets the first
answer, never a second write; the same key with a different request is a 409 Conflict.

A key belongs to one user and one ``scope`` (a name for the kind of write, e.g.
``"benefits.batch_build"``). Its row is inserted in the same transaction as the write it
guards, before the write: a concurrent request with the same key waits on the unique index
until the first commits, then finds the stored answer; if the first write fails, its key
goes with it and the next try runs afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.core.errors import Conflict, JishengError
from jisheng.core.models import IdempotencyKey

if TYPE_CHECKING:
    from jisheng.accounts.models import User

KEY_LENGTH = 100
Json = Any  # what JSONField stores: dict, list, str, int, float, bool or None


@dataclass(frozen=True)
class Once[T]:
    """The result of a guarded write, and whether it is the stored answer of an earlier try."""

    value: T
    replayed: bool = False


def fingerprint(request: Mapping[str, object]) -> str:
    """SHA-256 of the request as canonical JSON (sorted keys; dates and decimals as text)."""
    canonical = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def clean_key(key: str) -> str:
    """The key stripped; 1 to 100 printable characters, else a 400."""
    key = key.strip()
    if not 1 <= len(key) <= KEY_LENGTH or not key.isprintable():
        raise JishengError(_("An idempotency key has 1 to 100 characters."), code="idempotency_key")
    return key


def run_once[T](
    *,
    user: User,
    scope: str,
    key: str | None,
    request: Mapping[str, object],
    run: Callable[[], T],
    store: Callable[[T], Json],
    load: Callable[[Json], T],
) -> Once[T]:
    """Run ``run`` once per (user, scope, key) and request; without a key, simply run it.

    ``store`` turns the result into JSON to keep; ``load`` turns the kept JSON back into
    the result of a replay. A key seen before with another ``request`` raises Conflict.
    """
    if not key:
        return Once(run())
    key = clean_key(key)
    digest = fingerprint(request)
    stored = _stored(user, scope, key)
    if stored is not None:
        return Once(load(_answer(stored, digest)), replayed=True)
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user, scope=scope, key=key, fingerprint=digest, answer=None
            )
            value = run()
            row.answer = store(value)
            row.save(update_fields=["answer"])
    except IntegrityError:
        # A parallel request with the same key committed first: answer with its result.
        stored = _stored(user, scope, key)
        if stored is None:
            raise
        return Once(load(_answer(stored, digest)), replayed=True)
    return Once(value)


def _stored(user: User, scope: str, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=user, scope=scope, key=key).first()


def _answer(stored: IdempotencyKey, digest: str) -> Json:
    if stored.fingerprint != digest:
        raise Conflict(
            _("This idempotency key was used for a different request."),
            code="idempotency_key_reused",
        )
    return stored.answer
