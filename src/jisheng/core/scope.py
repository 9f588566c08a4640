"""Data scope, the one mechanism: every query of org-owned records goes through ``visible_to``.

A model opts in by declaring ``scope_rule`` and using :class:`ScopedQuerySet` as its
manager. Pages, API, exports and commands all reach records through selectors
that start from ``Model.objects.visible_to(user)``.

What a user may see of a model is decided once, by :func:`scope_of`; ``visible_to``
turns that decision into a queryset filter, and :func:`scope_sql` into the same
condition as SQL, for the few hot lookups that bypass the ORM's query building.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Self

from django.db import connection, models

from jisheng.core.roles import Capability

if TYPE_CHECKING:
    from jisheng.accounts.models import User


@dataclass(frozen=True)
class ScopeRule:
    """Where a record belongs and who may see it.

    ``org_field``: lookup path to the owning OrgUnit (``None``: not org-owned).
    ``reporter_field``: lookup path to the partner reporter who filed it, if any.
    ``personal``: holds personal data, so only roles with a duty to read it see it.
    ``capability``: a further duty the reader must have (e.g. health data: ``VIEW_HEALTH``).
    """

    org_field: str | None
    reporter_field: str | None = None
    personal: bool = True
    capability: Capability | None = None


@dataclass(frozen=True)
class Scope:
    """What one user may see of one model: nothing, everything, what they reported
    (``reporter_id``), or what belongs to these units (``unit_ids``)."""

    nothing: bool = False
    reporter_id: int | None = None
    unit_ids: tuple[int, ...] | None = None


NOTHING = Scope(nothing=True)
EVERYTHING = Scope()


def scope_of(rule: ScopeRule, user: User | Any) -> Scope:
    """The rule applied to the user: the single decision behind every scoped read."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if rule.capability is not None and not user.has_capability(rule.capability):
        return NOTHING
    if user.has_capability(Capability.REPORT_AS_PARTNER) and not user.has_capability(
        Capability.VIEW_PERSONAL
    ):
        if rule.reporter_field is None:
            return NOTHING
        return Scope(reporter_id=user.pk)
    if rule.personal and not user.has_capability(Capability.VIEW_PERSONAL):
        return NOTHING
    if rule.org_field is None:
        return EVERYTHING
    return Scope(unit_ids=tuple(user.scope_unit_ids()))


def scope_key(user: User | Any) -> tuple[Any, ...]:
    """What :func:`scope_of` reads of ``user``: users with equal keys have equal scopes of
    every model, so ``visible_to`` gives them the same SQL. The user's id is part of it only
    where a scope names the user (a partner reporter's own records)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return (None,)
    reporter = user.pk if user.has_capability(Capability.REPORT_AS_PARTNER) else None
    return (user.role_set, tuple(user.scope_unit_ids()), reporter)


def scope_sql(
    model: type[models.Model], scope: Scope, *, alias: str
) -> tuple[str, tuple[Any, ...]]:
    """``scope`` as a SQL condition on the model's table under ``alias``, with its parameters.

    The conditions of ``visible_to``: the reporter's own records, or ``org IN (units)``.
    Only for rules whose fields are columns of the model itself (no ``__`` paths).
    """
    return _scope_sql(model, scope, alias, connection.vendor)


@lru_cache(maxsize=256)
def _scope_sql(
    model: type[models.Model], scope: Scope, alias: str, vendor: str
) -> tuple[str, tuple[Any, ...]]:
    rule: ScopeRule = model.scope_rule  # type: ignore[attr-defined]
    if scope.nothing or scope.unit_ids == ():
        return "1 = 0", ()
    if scope.reporter_id is not None:
        return f"{_column(model, rule.reporter_field, alias)} = %s", (scope.reporter_id,)
    if scope.unit_ids is None:
        return "1 = 1", ()
    column = _column(model, rule.org_field, alias)
    return f"{column} IN ({', '.join(['%s'] * len(scope.unit_ids))})", scope.unit_ids


def _column(model: type[models.Model], path: str | None, alias: str) -> str:
    if path is None or "__" in path:
        raise ValueError(f"{model.__name__}: scope path {path!r} is not a column of its own")
    column = str(model._meta.get_field(path).column)  # type: ignore[union-attr]
    return f"{connection.ops.quote_name(alias)}.{connection.ops.quote_name(column)}"


class ScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """A queryset that can narrow itself to what one user may see."""

    def visible_to(self, user: User | Any) -> Self:
        rule: ScopeRule = self.model.scope_rule  # type: ignore[attr-defined]
        scope = scope_of(rule, user)
        if scope.nothing:
            return self.none()
        if scope.reporter_id is not None:
            assert rule.reporter_field is not None  # noqa: S101 - scope_of guarantees it
            return self.filter(**{rule.reporter_field: scope.reporter_id})
        if scope.unit_ids is None:
            return self.all()
        return self.filter(**{f"{rule.org_field}__in": scope.unit_ids})

    def counted_for(self, user: User | Any) -> Self:
        """Rows ``user`` may count: what they may read and, for holders of
        ``VIEW_AGGREGATES``, every row of their area whatever duty guards it.

        Only counts and sums may leave this queryset (indicator tables, supply reports); a
        page that lists records uses :meth:`visible_to`, so a leader sees how many couples
        were examined but never whose checkup it was.
        """
        holds = getattr(user, "is_authenticated", False) and user.is_active
        if not (holds and user.has_capability(Capability.VIEW_AGGREGATES)):
            return self.visible_to(user)
        rule: ScopeRule = self.model.scope_rule  # type: ignore[attr-defined]
        if rule.org_field is None:
            return self.all()
        return self.filter(**{f"{rule.org_field}__in": user.scope_unit_ids()})


class ScopedManager[M: models.Model](models.Manager[M]):
    """Manager whose querysets know ``visible_to``."""

    def get_queryset(self) -> ScopedQuerySet[M]:
        return ScopedQuerySet(self.model, using=self._db)

    def visible_to(self, user: User | Any) -> ScopedQuerySet[M]:
        return self.get_queryset().visible_to(user)

    def counted_for(self, user: User | Any) -> ScopedQuerySet[M]:
        return self.get_queryset().counted_for(user)
