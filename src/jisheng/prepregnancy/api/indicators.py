"""Indicators per community of the caller's area over a period (default: this year)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from jisheng.core.api_helpers import api_actor
from jisheng.prepregnancy.api.schemas import IndicatorRowOut
from jisheng.prepregnancy.selectors import indicators as indicator_selectors

router = Router(tags=["prepregnancy"])


class PeriodQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


@router.get("/indicators", response=list[IndicatorRowOut], summary="各社居指标（默认本年度）")
def indicator_table(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict[str, Any]]:
    actor = api_actor(request)
    period = indicator_selectors.period_asked(
        user=actor.user, start=query.start, end=query.end, today=timezone.localdate()
    )
    return [
        {
            "community_id": row.unit.pk if row.unit else None,
            "community_name": row.unit.name if row.unit else "合计",
            "counts": row.counts,
            "rates": {k: float(v) if v is not None else None for k, v in row.rates.items()},
        }
        for row in indicator_selectors.indicator_table(user=actor.user, period=period)
    ]
