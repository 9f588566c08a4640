"""The maintained list of risk factors (reference data: no personal data, no scope; read by
those with a health duty only, like the rest of the module)."""

from __future__ import annotations

from django.db.models import QuerySet

from jisheng.accounts.models import User
from jisheng.core.lookups import visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.prepregnancy.models import RiskFactor


def risk_factor_list(*, user: User, active: bool | None = None) -> QuerySet[RiskFactor]:
    require(user, Capability.VIEW_HEALTH)
    factors = RiskFactor.objects.all()
    if active is not None:
        factors = factors.filter(active=active)
    return factors.order_by("sort_order", "code")


def risk_factor_or_404(*, user: User, risk_factor_id: int) -> RiskFactor:
    """One entry of the list (all of it is in every health worker's scope), else NotFound."""
    return visible_or_404(risk_factor_list(user=user), user=user, pk=risk_factor_id)


def risk_factor_names(codes: list[str]) -> list[str]:
    """Names of the given codes in list order (codes no longer on the list as themselves)."""
    names = dict(RiskFactor.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(code, code) for code in codes]
