"""Idempotency keys for API writes: the same key from the same user gets the first answer.

The key row is inserted in the same transaction as the write it guards. A concurrent
request with the same key blocks on the unique index until the first commits, then fails
to insert and returns the stored answer; if the first write fails, its key goes with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.benefits.models import IdempotencyKey
from jisheng.core.errors import JishengError

Answer = tuple[int, dict[str, Any]]


def idempotent(*, user: User, scope: str, key: str | None, run: Callable[[], Answer]) -> Answer:
    """Run ``run`` once per (user, scope, key); without a key, simply run it."""
    if not key:
        return run()
    key = key.strip()
    if not 1 <= len(key) <= 100:
        raise JishengError(_("An idempotency key has 1 to 100 characters."))
    stored = _stored(user, scope, key)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=user, scope=scope, key=key, status=0, response={}
            )
            status, body = run()
            record.status, record.response = status, body
            record.save(update_fields=["status", "response"])
            return status, body
    except IntegrityError:
        stored = _stored(user, scope, key)
        if stored is None:
            raise
        return stored


def _stored(user: User, scope: str, key: str) -> Answer | None:
    found = IdempotencyKey.objects.filter(user=user, scope=scope, key=key).first()
    return None if found is None else (found.status, found.response)
