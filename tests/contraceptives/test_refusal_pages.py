"""A refused stocktake start shows the point's page again with the date typed, not an
error page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jisheng.contraceptives.models import StockCount


def test_a_future_stocktake_shows_the_point_again_with_the_date(
    client_for, worker, point, today
) -> None:
    page_url = reverse("contraceptives:point_detail", args=[point.pk])
    future = (today + dt.timedelta(days=30)).isoformat()
    response = client_for(worker).post(
        reverse("contraceptives:count_start", args=[point.pk]),
        {"count_date": future},
        HTTP_REFERER=f"http://testserver{page_url}",
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="refusal"' in page
    assert point.name in page
    assert f'"count_date": ["{future}"]' in page
    assert not StockCount.objects.exists()


def test_a_bad_roster_filter_shows_the_list_s_filter_again_with_the_message(
    client_for, worker, org
) -> None:
    """Not a bare refusal page: the roster's filter as typed, and what is wrong with it."""
    response = client_for(worker).get(
        reverse("contraceptives:roster_list"), {"method": "xyz", "community": str(org.c1.pk)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="filter-errors"' in page
    assert 'data-testid="roster-filters"' in page
    assert f'<option value="{org.c1.pk}" selected>' in page
