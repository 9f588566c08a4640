"""Reports: issues by product × month × point, stock on hand, expiry list, roster by method
and community — as pages and as Excel files that are audited and formula-safe."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jisheng.audit.models import AuditEvent
from jisheng.contraceptives import exports
from jisheng.contraceptives.exports import CATEGORY_LABELS, METHOD_LABELS, POINT_KIND_LABELS
from jisheng.contraceptives.models import Lot, Method, PointKind, ProductCategory
from jisheng.contraceptives.selectors import reports
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.roster import roster_enroll
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden
from jisheng.core.roles import ROLE_CAPABILITIES, Capability, Role


def test_export_labels_cover_every_choice() -> None:
    assert set(CATEGORY_LABELS) == set(ProductCategory.values)
    assert set(METHOD_LABELS) == set(Method.values)
    assert set(POINT_KIND_LABELS) == set(PointKind.values)


@pytest.fixture
def year_of_issues(point, receive, worker_actor, make_person, make_facts, today):
    """Issues in January and February of last year and one the year before; one reversed."""
    year = today.year - 1
    jan, feb = dt.date(year, 1, 10), dt.date(year, 2, 3)
    lot = receive(
        point, 100, on=dt.date(year - 1, 12, 1), expiry=today + dt.timedelta(days=400)
    ).lot
    person = make_person(sex="F")
    moves.stock_issue_anonymous(
        actor=worker_actor,
        point=point,
        lot=lot,
        quantity=4,
        facts=make_facts(occurred_on=dt.date(year - 1, 12, 20)),
    )
    moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=lot,
        quantity=3,
        person=person,
        facts=make_facts(occurred_on=jan),
    )
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=lot, quantity=5, facts=make_facts(occurred_on=feb)
    )
    wrong = moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=lot, quantity=7, facts=make_facts(occurred_on=feb)
    )[0]
    moves.move_reverse(actor=worker_actor, move=wrong, facts=make_facts())
    return lot


def test_issues_by_month_count_named_and_anonymous_and_skip_reversed(
    worker, point, pill, year_of_issues, today
) -> None:
    table = reports.issues_by_month(user=worker, year=today.year - 1)
    (row,) = table.rows
    assert (row.point, row.product) == (point, pill)
    assert row.months[:2] == [3, 5]
    assert row.total == 8
    assert [
        t.total for t in reports.issues_by_month(user=worker, year=today.year - 2).unit_totals
    ] == [4]


def test_stock_on_hand_splits_usable_and_expired(worker, point, receive, today) -> None:
    receive(point, 10)
    old = receive(point, 4).lot
    Lot.objects.filter(pk=old.pk).update(expiry_date=today - dt.timedelta(days=2))
    (row,) = reports.stock_on_hand(user=worker, today=today)
    assert (row.quantity, row.usable, row.expired) == (14, 10, 4)


def test_expiry_list_holds_expired_and_soon_expiring_lots_soonest_first(
    worker, point, receive, today
) -> None:
    far = receive(point, 1, expiry=today + dt.timedelta(days=400)).lot
    soon = receive(point, 1, expiry=today + dt.timedelta(days=30)).lot
    gone = receive(point, 1, expiry=today + dt.timedelta(days=3)).lot
    Lot.objects.filter(pk=gone.pk).update(expiry_date=today - dt.timedelta(days=3))
    assert [b.lot_id for b in reports.expiry_list(user=worker, today=today)] == [gone.pk, soon.pk]
    assert far.pk not in [b.lot_id for b in reports.expiry_list(user=worker, today=today)]


def test_roster_by_method_and_community(
    org, worker_actor, make_person, street_user, make_user, today
) -> None:
    from jisheng.core.actors import Actor
    from jisheng.core.roles import Role

    roster_enroll(actor=worker_actor, person=make_person(sex="F"), method="iud", start_date=today)
    roster_enroll(actor=worker_actor, person=make_person(sex="F"), method="iud", start_date=today)
    roster_enroll(
        actor=worker_actor, person=make_person(sex="M"), method="condom", start_date=today
    )
    c2_worker = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    roster_enroll(
        actor=c2_worker, person=make_person(org.c2, sex="F"), method="implant", start_date=today
    )
    table = reports.roster_by_method(user=street_user)
    by_unit = {
        row.unit: dict(zip([m for m, _l in table.methods], row.counts, strict=True))
        for row in table.rows
    }
    assert by_unit[org.c1]["iud"] == 2
    assert by_unit[org.c1]["condom"] == 1
    assert by_unit[org.c2]["implant"] == 1
    assert table.total == 4
    assert reports.roster_by_method(user=worker_actor.user).total == 3


@pytest.fixture
def month_of_supply(org, point, receive, worker_actor, make_person, make_facts, today):
    """A lot near expiry at the worker's point; one unit issued by name, two anonymously."""
    lot = receive(point, 5, expiry=today + dt.timedelta(days=30)).lot
    moves.stock_issue(
        actor=worker_actor,
        point=point,
        lot=lot,
        quantity=1,
        person=make_person(sex="F"),
        facts=make_facts(),
    )
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=lot, quantity=2, facts=make_facts()
    )
    return lot


def sheet_rows(response) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [
        tuple(v.date() if isinstance(v, dt.datetime) else v for v in row)
        for row in workbook.active.iter_rows(values_only=True)
    ]


def expected_rows(name: str, org, point, lot, today) -> list[tuple[object, ...]]:
    product = lot.product
    months = [0] * 12
    months[today.month - 1] = 3
    methods = [0] * len(Method.values)
    methods[Method.values.index("oral")] = 1
    return {
        "report_issues_xlsx": [
            (point.name, product.name, "口服避孕药", "板", *months, 3),
            ("合计（板）", None, None, "板", *months, 3),
        ],
        "report_stock_xlsx": [(point.name, "社居发放点", product.name, "板", 2, 2, 0)],
        "report_expiry_xlsx": [
            (point.name, product.name, lot.number, lot.expiry_date, 2, "近效期")
        ],
        "report_roster_xlsx": [(org.c1.name, *methods, 1), ("合计", *methods, 1)],
    }[name]


@pytest.mark.parametrize(
    "name",
    ["report_issues_xlsx", "report_stock_xlsx", "report_expiry_xlsx", "report_roster_xlsx"],
)
def test_every_report_exports_an_audited_workbook_with_its_rows_and_totals(
    name, org, worker, client_for, point, month_of_supply, today
) -> None:
    response = client_for(worker).get(reverse(f"contraceptives:{name}"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, *rows = sheet_rows(response)
    assert header[0] in {"发放点", "社居"}
    assert rows == expected_rows(name, org, point, month_of_supply, today)
    event = AuditEvent.objects.get(action="export", object_type__startswith="contraceptives.report")
    assert event.detail == {"rows": len(rows)}


@pytest.mark.parametrize(
    ("name", "workbook", "capability"),
    [
        ("report_issues_xlsx", "issues_workbook", Capability.MANAGE_STOCK),
        ("report_stock_xlsx", "stock_workbook", Capability.MANAGE_STOCK),
        ("report_expiry_xlsx", "expiry_workbook", Capability.MANAGE_STOCK),
        ("report_roster_xlsx", "roster_workbook", Capability.VIEW_HEALTH),
    ],
)
def test_an_export_needs_its_duty_at_the_page_and_in_the_service(
    monkeypatch, name, workbook, capability, worker, client_for, today
) -> None:
    narrowed = ROLE_CAPABILITIES[Role.COMMUNITY_WORKER] - {capability}
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.COMMUNITY_WORKER, narrowed)
    assert client_for(worker).get(reverse(f"contraceptives:{name}")).status_code == 403
    arguments = {"year": today.year} if workbook == "issues_workbook" else {"today": today}
    with pytest.raises(Forbidden):
        getattr(exports, workbook)(actor=Actor(user=worker), **arguments)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_exported_text_cannot_run_as_a_formula(
    worker, client_for, street_actor, org, receive
) -> None:
    from jisheng.contraceptives.services.catalogue import point_create

    evil = point_create(
        actor=street_actor, name='=HYPERLINK("x")', kind=PointKind.COMMUNITY, org_unit=org.c1
    )
    receive(evil, 5)
    response = client_for(worker).get(reverse("contraceptives:report_stock_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A2"].value.startswith("'=")


# --- leaders and supervisors read the supply reports (counts), not the ledgers ------------


@pytest.mark.parametrize("role", [Role.LEADER, Role.DISTRICT_SUPERVISOR])
def test_leaders_and_supervisors_read_the_supply_reports_of_their_area(
    worker, point, pill, year_of_issues, today, make_user, client_for, role: Role
) -> None:
    overseer = make_user(role)

    (total,) = reports.issues_by_month(user=overseer, year=today.year - 1).unit_totals
    assert total.total == 8
    assert reports.stock_on_hand(user=overseer, today=today) == reports.stock_on_hand(
        user=worker, today=today
    )
    client = client_for(overseer)
    for name in ("issues", "stock", "expiry", "roster"):
        assert client.get(reverse(f"contraceptives:report_{name}")).status_code == 200, name
        xlsx = client.get(reverse(f"contraceptives:report_{name}_xlsx"))
        assert xlsx.status_code == 200, name
    # The ledgers and rosters behind them stay with the staff who keep them.
    assert client.get(reverse("contraceptives:index")).status_code == 403
    assert client.get(reverse("contraceptives:point_detail", args=[point.pk])).status_code == 403
    assert client.get(reverse("contraceptives:roster_list")).status_code == 403


def test_issue_totals_are_per_unit_never_boxes_plus_pieces(
    worker, point, pill, condom, receive, worker_actor, make_facts, client_for
) -> None:
    pills = receive(point, 10).lot
    condoms = receive(point, 10, product=condom).lot
    for lot, quantity in ((pills, 2), (condoms, 5)):
        moves.stock_issue_anonymous(
            actor=worker_actor, point=point, lot=lot, quantity=quantity, facts=make_facts()
        )
    year = make_facts().occurred_on.year

    totals = {t.unit: t.total for t in reports.issues_by_month(user=worker, year=year).unit_totals}
    body = client_for(worker).get(reverse("contraceptives:report_issues"), {"year": year})

    assert totals == {pill.unit: 2, condom.unit: 5}
    html = body.content.decode()
    assert f'data-unit="{pill.unit}"' in html
    assert f'data-unit="{condom.unit}"' in html
    assert 'data-testid="unit-total">7<' not in html  # the two units are never added up
    assert 'data-testid="grand-total"' not in html
