"""The distribution points page: each point's stock on hand and its count of alerts (or none),
a point out of service muted, a point without a keeper a dash, and a text when there are none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jisheng.contraceptives.models import PointKind, StockThreshold
from jisheng.contraceptives.selectors.stock import point_rows
from jisheng.contraceptives.services.catalogue import point_create, point_update

pytestmark = pytest.mark.django_db


def _rows(html: str, *points) -> list[str]:
    return [html.split(f'data-point="{p.pk}"')[1].split("</tr>")[0] for p in points]


def test_each_point_shows_its_stock_its_alerts_and_whether_it_is_in_service(
    org, street_actor, street_user, point, store, receive, pill, condom, client_for
) -> None:
    receive(point, 3)
    StockThreshold.objects.create(point=point, product=pill, minimum=50)
    spare = point_create(
        actor=street_actor, name="园区发放点", kind=PointKind.COMMUNITY, org_unit=org.c2
    )
    for product in (pill, condom):  # a level and no stock at all: low
        StockThreshold.objects.create(point=spare, product=product, minimum=0)
    point_update(
        actor=street_actor, point=store, name=store.name, address="", keeper=None, is_active=False
    )
    client = client_for(street_user)
    url = reverse("contraceptives:index")

    html = client.get(url, headers={"accept-language": "en"}).content.decode()
    kept, unkept, closed = _rows(html, point, spare, store)
    assert '<td class="num">3</td>' in kept
    assert '<span class="badge badge-warn">1 alert</span>' in kept
    assert "out of service" not in kept
    assert '<span class="badge badge-warn">2 alerts</span>' in unkept
    assert "<td>—</td>" in unkept  # no keeper
    assert closed.startswith(' class="muted">')
    assert '<span class="badge badge-muted">out of service</span>' in closed
    assert '<span class="badge badge-ok">none</span>' in closed

    chinese = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    assert '<span class="badge badge-warn">1 条提醒</span>' in _rows(chinese, point)[0]


def test_an_area_without_points_says_so(worker, client_for) -> None:
    page = client_for(worker).get(
        reverse("contraceptives:index"), headers={"accept-language": "en"}
    )
    assert page.status_code == 200
    assert "No distribution points in your area yet." in page.content.decode()


def test_a_community_worker_reads_the_rows_of_their_own_points_only(
    org, street_actor, worker, point, store, today
) -> None:
    point_create(actor=street_actor, name="园区发放点", kind=PointKind.COMMUNITY, org_unit=org.c2)

    (row,) = point_rows(worker, today=today)
    assert (row.pk, row.unit_name, row.keeper_name) == (point.pk, org.c1.name, str(worker))
    assert (row.on_hand, row.alerts, row.is_active) == (0, 0, True)
