"""Stock alerts at their edges, and on the home page of whoever keeps the point."""

from __future__ import annotations

import datetime as dt

from jisheng.contraceptives.models import DistributionPoint, Lot, StockThreshold
from jisheng.contraceptives.selectors.alerts import alert_counts, stock_alerts
from jisheng.contraceptives.services import moves
from jisheng.core.dates import add_months
from jisheng.core.roles import Role


def alerts_of(point, today):
    alerts = stock_alerts(DistributionPoint.objects.filter(pk=point.pk), today=today)
    # The points page counts the same alerts from values, at every edge these tests try.
    assert alert_counts([point.pk], today=today).get(point.pk, 0) == alerts.count
    return alerts


def _lot_expiring(point, receive, today, expiry: dt.date) -> Lot:
    lot = receive(point, 5, expiry=today + dt.timedelta(days=900)).lot
    Lot.objects.filter(pk=lot.pk).update(expiry_date=expiry)
    return Lot.objects.get(pk=lot.pk)


def test_a_lot_expiring_exactly_six_months_ahead_is_flagged(point, receive, today) -> None:
    lot = _lot_expiring(point, receive, today, add_months(today, 6))
    alerts = alerts_of(point, today)
    assert [a.lot for a in alerts.expiring] == [lot]
    assert alerts.expired == []


def test_a_lot_expiring_the_day_after_six_months_is_not_flagged(point, receive, today) -> None:
    _lot_expiring(point, receive, today, add_months(today, 6) + dt.timedelta(days=1))
    assert alerts_of(point, today).count == 0


def test_a_lot_expiring_today_is_expiring_not_expired(point, receive, today) -> None:
    lot = _lot_expiring(point, receive, today, today)
    alerts = alerts_of(point, today)
    assert [(a.lot, a.days_left) for a in alerts.expiring] == [(lot, 0)]
    assert alerts.expired == []


def test_a_lot_that_expired_yesterday_is_expired_until_written_off(
    point, receive, today, worker_actor, make_facts
) -> None:
    lot = _lot_expiring(point, receive, today, today - dt.timedelta(days=1))
    alerts = alerts_of(point, today)
    assert [(a.lot, a.quantity) for a in alerts.expired] == [(lot, 5)]
    assert alerts.expiring == []
    moves.stock_write_off(actor=worker_actor, point=point, lot=lot, quantity=5, facts=make_facts())
    assert alerts_of(point, today).count == 0


def test_low_stock_is_flagged_at_the_level_and_not_above(
    point, receive, pill, today, worker_actor, make_facts
) -> None:
    lot = receive(point, 11).lot
    StockThreshold.objects.create(point=point, product=pill, minimum=10)
    assert alerts_of(point, today).low_stock == []
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=lot, quantity=1, facts=make_facts()
    )
    (low,) = alerts_of(point, today).low_stock
    assert (low.product, low.on_hand, low.minimum) == (pill, 10, 10)


def test_expired_stock_does_not_count_towards_the_level(point, receive, pill, today) -> None:
    _lot_expiring(point, receive, today, today - dt.timedelta(days=1))
    receive(point, 20)
    StockThreshold.objects.create(point=point, product=pill, minimum=20)
    (low,) = alerts_of(point, today).low_stock
    assert low.on_hand == 20


def test_a_product_with_a_level_and_no_stock_at_all_is_low(point, condom, today) -> None:
    StockThreshold.objects.create(point=point, product=condom, minimum=0)
    (low,) = alerts_of(point, today).low_stock
    assert (low.product, low.on_hand) == (condom, 0)


def test_the_keeper_sees_the_alerts_on_the_home_page(
    point, receive, pill, worker, client_for
) -> None:
    StockThreshold.objects.create(point=point, product=pill, minimum=50)
    receive(point, 3)
    page = client_for(worker).get("/")
    html = page.content.decode()
    assert 'data-testid="panel-contraceptives"' in html
    assert f'data-alert="low_stock" data-product="{pill.pk}" data-point="{point.pk}"' in html


def test_a_point_kept_by_someone_else_stays_off_my_home_page(
    org, point, receive, pill, make_user, client_for
) -> None:
    StockThreshold.objects.create(point=point, product=pill, minimum=50)
    colleague = make_user(Role.COMMUNITY_WORKER, org.c1)
    html = client_for(colleague).get("/").content.decode()
    assert 'data-testid="panel-contraceptives"' not in html


def test_points_without_a_keeper_alert_everyone_who_manages_them(
    store, receive, pill, street_user, make_user, client_for
) -> None:
    DistributionPoint.objects.filter(pk=store.pk).update(keeper=None)
    StockThreshold.objects.create(point=store, product=pill, minimum=5)
    other_street_staff = make_user(Role.STREET_STAFF)
    html = client_for(other_street_staff).get("/").content.decode()
    assert f'data-alert="low_stock" data-product="{pill.pk}" data-point="{store.pk}"' in html


def test_roles_without_the_stock_duty_get_no_panel(point, make_user, client_for) -> None:
    leader = make_user(Role.LEADER)
    html = client_for(leader).get("/").content.decode()
    assert 'data-testid="panel-contraceptives"' not in html
