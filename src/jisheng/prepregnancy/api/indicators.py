"""Indicators per community of the caller's area over a period (default: this year)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from jisheng.core.errors import JishengError
from jisheng.prepregnancy.api.common import health_actor
from jisheng.prepregnancy.api.schemas import IndicatorRowOut
from jisheng.prepregnancy.selectors import indicators as indicator_selectors

router = Router(tags=["prepregnancy"])


class PeriodQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


@router.get("/indicators", response=list[IndicatorRowOut], summary="各社居指标（默认本年度）")
def indicator_table(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict[str, Any]]:
    actor = health_actor(request)
    default = indicator_selectors.Period.year_of(timezone.localdate())
    period = indicator_selectors.Period(query.start or default.start, query.end or default.end)
    if period.start > period.end:
        raise JishengError("统计期的结束日期早于开始日期", code="invalid_period")
    return [
        {
            "community_id": row.unit.pk if row.unit else None,
            "community_name": row.unit.name if row.unit else "合计",
            "counts": row.counts,
            "rates": {k: float(v) if v is not None else None for k, v in row.rates.items()},
        }
        for row in indicator_selectors.indicator_table(user=actor.user, period=period)
    ]
