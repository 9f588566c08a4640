"""The maintained list of risk factors (reference data: no personal data, no scope)."""

from __future__ import annotations

from django.db.models import QuerySet

from jisheng.prepregnancy.models import RiskFactor


def risk_factor_list(*, active: bool | None = None) -> QuerySet[RiskFactor]:
    factors = RiskFactor.objects.all()
    if active is not None:
        factors = factors.filter(active=active)
    return factors.order_by("sort_order", "code")


def risk_factor_names(codes: list[str]) -> list[str]:
    """Names of the given codes in list order (codes no longer on the list as themselves)."""
    names = dict(RiskFactor.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(code, code) for code in codes]
