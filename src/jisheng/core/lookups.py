"""One record in the user's scope or 404: the re-read that views, API and services start from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet

from jisheng.core.errors import NotFound
from jisheng.core.models import OrgUnit
from jisheng.core.scope import scope_of

if TYPE_CHECKING:
    from jisheng.accounts.models import User


def _scoped[M: models.Model](source: type[M] | QuerySet[M], user: User | Any) -> QuerySet[M]:
    queryset = source._default_manager.all() if isinstance(source, type) else source
    # Always narrowed here, so a caller's queryset can add joins but never widen the scope.
    return queryset.visible_to(user)  # type: ignore[attr-defined, no-any-return]


def visible_or_404[M: models.Model](
    source: type[M] | QuerySet[M], *, user: User | Any, pk: int
) -> M:
    """Record ``pk`` of a scoped model (or queryset) inside the user's scope, else NotFound."""
    found = _scoped(source, user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def locked_or_404[M: models.Model](
    source: type[M] | QuerySet[M], *, user: User | Any, pk: int
) -> M:
    """As :func:`visible_or_404`, with the row locked (``SELECT … FOR UPDATE``) until commit.

    Call it inside ``transaction.atomic()``. Only the record's own row is locked, so
    ``select_related`` joins on nullable relations are allowed.
    """
    found = _scoped(source, user).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def units_in_scope(model: type[models.Model], user: User | Any) -> QuerySet[OrgUnit]:
    """The units whose rows of ``model`` the user may see: every unit where the scope is not
    limited to units (the rows' own ``visible_to`` narrows it further)."""
    scope = scope_of(model.scope_rule, user)  # type: ignore[attr-defined]
    if scope.nothing:
        return OrgUnit.objects.none()
    if scope.unit_ids is None:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(pk__in=scope.unit_ids)


def community_choices(user: User | Any) -> QuerySet[OrgUnit]:
    """Communities and villages in the user's scope: where they may register and serve people."""
    return OrgUnit.objects.visible_to(user).filter(
        kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE]
    )
