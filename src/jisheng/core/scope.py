"""Data scope, the one mechanism: every query of org-owned records goes through ``visible_to``.

A model opts in by declaring ``scope_rule`` and using :class:`ScopedQuerySet` as its
manager. Pages, API, exports and commands all reach records through selectors
that start from ``Model.objects.visible_to(user)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django.db import models

from jisheng.accounts.roles import Capability

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


class ScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """A queryset that can narrow itself to what one user may see."""

    def visible_to(self, user: User | Any) -> Self:
        rule: ScopeRule = self.model.scope_rule  # type: ignore[attr-defined]
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if rule.capability is not None and not user.has_capability(rule.capability):
            return self.none()
        if user.has_capability(Capability.REPORT_AS_PARTNER) and not user.has_capability(
            Capability.VIEW_PERSONAL
        ):
            if rule.reporter_field is None:
                return self.none()
            return self.filter(**{rule.reporter_field: user})
        if rule.personal and not user.has_capability(Capability.VIEW_PERSONAL):
            return self.none()
        if rule.org_field is None:
            return self.all()
        return self.filter(**{f"{rule.org_field}__in": user.scope_unit_ids()})


class ScopedManager[M: models.Model](models.Manager[M]):
    """Manager whose querysets know ``visible_to``."""

    def get_queryset(self) -> ScopedQuerySet[M]:
        return ScopedQuerySet(self.model, using=self._db)

    def visible_to(self, user: User | Any) -> ScopedQuerySet[M]:
        return self.get_queryset().visible_to(user)
