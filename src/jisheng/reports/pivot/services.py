"""Saving and removing one's favourite pivot questions."""

from __future__ import annotations

from django.db import transaction

from jisheng.core.actors import Actor
from jisheng.core.errors import NotFound
from jisheng.reports.pivot.models import SavedPivot


def favourite_save(*, actor: Actor, name: str, query: str) -> SavedPivot:
    """Save ``query`` under ``name``; the same name again replaces the question (so a second
    submit changes nothing)."""
    with transaction.atomic():
        saved, _created = SavedPivot.objects.update_or_create(
            owner=actor.user, name=name, defaults={"query": query}
        )
    return saved


def favourite_delete(*, actor: Actor, favourite_id: int) -> None:
    """Remove one of the actor's favourites; someone else's (or a removed one) is NotFound."""
    removed, _detail = SavedPivot.objects.filter(pk=favourite_id, owner=actor.user).delete()
    if not removed:
        raise NotFound()
