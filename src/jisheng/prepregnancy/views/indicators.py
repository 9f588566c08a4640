"""Indicators per community and period, and the records behind each number."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.pages import query_id
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability
from jisheng.prepregnancy.forms import PeriodForm
from jisheng.prepregnancy.selectors import indicators as selectors

HEALTH = Capability.VIEW_HEALTH

# Table columns: (key, label, counted measure the cell links to). Rates link to their
# numerator's list; the denominator is the column to their left.
COLUMNS: tuple[tuple[str, Promise, str], ...] = (
    ("targets", _("Target couples"), "targets"),
    ("notified", _("Notified"), "notified"),
    ("checked_both", _("Both checked"), "checked_both"),
    ("checked_one", _("One spouse checked"), "checked_one"),
    ("coverage", _("Coverage"), "checked"),
    ("examined", _("Persons examined"), "examined"),
    ("high_risk", _("High risk"), "high_risk"),
    ("high_risk_rate", _("High-risk rate"), "high_risk"),
    ("referrals", _("Referrals due"), "referrals"),
    ("referrals_done", _("Referrals completed"), "referrals_done"),
    ("referral_rate", _("Referral completion"), "referrals_done"),
    ("early_due", _("Early follow-ups due"), "early_due"),
    ("early_done", _("Early follow-ups done"), "early_done"),
    ("early_rate", _("Early follow-up rate"), "early_done"),
    ("outcome_due", _("Outcome follow-ups due"), "outcome_due"),
    ("outcome_done", _("Outcome follow-ups done"), "outcome_done"),
    ("outcome_rate", _("Outcome follow-up rate"), "outcome_done"),
)
LIST_LABELS: dict[str, Promise] = {
    **{key: label for key, label, _link in COLUMNS if key in selectors.MEASURES},
    "checked": _("Couples checked (both or one spouse)"),
}
RATE_KEYS = frozenset(key for key, _num, _den in selectors.RATES)


@dataclass(frozen=True)
class Cell:
    key: str
    value: object
    link_key: str
    is_rate: bool


def _cells(row: selectors.IndicatorRow) -> list[Cell]:
    rates = row.rates
    return [
        Cell(
            key=key,
            value=rates[key] if key in RATE_KEYS else row.counts[key],
            link_key=link_key,
            is_rate=key in RATE_KEYS,
        )
        for key, _label, link_key in COLUMNS
    ]


def _period(request: HttpRequest) -> tuple[PeriodForm, selectors.Period]:
    bound = "start" in request.GET or "end" in request.GET
    form = PeriodForm(request.GET if bound else None)
    if form.is_bound and not form.is_valid():
        raise JishengError(form.errors.as_text(), code="invalid_period")
    period = form.period(timezone.localdate())
    if not bound:
        form = PeriodForm(initial={"start": period.start, "end": period.end})
    return form, period


@require_GET
@require_capability(HEALTH, Capability.VIEW_AGGREGATES)
def indicator_table(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    user = request_user(request)
    rows = selectors.indicator_table(user=user, period=period)
    return render(
        request,
        "prepregnancy/indicators.html",
        {
            "form": form,
            "period": period,
            "columns": [label for _key, label, _link in COLUMNS],
            "rows": [(row.unit, _cells(row)) for row in rows],
            # The lists behind the numbers name couples: only for the health duty.
            "records_open": user.has_capability(HEALTH),
        },
    )


@require_GET
@require_capability(HEALTH)
def indicator_list(request: HttpRequest) -> HttpResponse:
    """The records counted in one cell of the indicator table."""
    _form, period = _period(request)
    key = request.GET.get("key", "")
    if key not in selectors.MEASURES:
        raise JishengError(code="invalid_indicator")
    measure, records = selectors.indicator_records_viewed(
        actor=Actor.from_request(request),
        key=key,
        period=period,
        community_id=query_id(request, "community"),
    )
    return render(
        request,
        "prepregnancy/indicator_list.html",
        {
            "label": LIST_LABELS[key],
            "measure": measure,
            "records": records[:1000],
            "count": records.count(),
            "period": period,
            "key": key,
        },
    )
