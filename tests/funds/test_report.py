"""The execution report: budget against spending by category and level, per year and over
years, growth on the year before with 逐年稳定增长 yes/no, printable and as a workbook."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jisheng.core.roles import Role
from jisheng.funds import services
from jisheng.funds.selectors import execution_report


def _budget(actor, org, category, year: int, amount: str, code: str = "publicity") -> None:
    services.budget_set(
        actor=actor,
        year=year,
        level="street",
        category=category(code),
        org_unit=org.street,
        amount=amount,
    )


def test_growth_and_steady_growth_per_year(spend, staff, staff_actor, org, category) -> None:
    spend("100.00", source_id=1, day=dt.date(2012, 6, 1))
    spend("150.00", source_id=2, day=dt.date(2013, 6, 1))
    spend("120.00", source_id=3, day=dt.date(2014, 6, 1))
    spend("180.00", source_id=4, day=dt.date(2015, 6, 1))
    report = execution_report(staff, first_year=2013, last_year=2015)
    assert [(y.year, y.figure.spent, y.growth, y.steady) for y in report.years] == [
        (2013, Decimal("150.00"), Decimal("50.0"), True),
        (2014, Decimal("120.00"), Decimal("-20.0"), False),
        (2015, Decimal("180.00"), Decimal("50.0"), True),
    ]
    assert report.total.spent == Decimal("450.00")
    first = execution_report(staff, first_year=2012, last_year=2012)
    assert first.years[0].steady is None  # nothing before it to compare with


def test_budget_against_spent_by_category_and_level(
    spend, staff, staff_actor, org, category
) -> None:
    _budget(staff_actor, org, category, 2014, "100")
    _budget(staff_actor, org, category, 2014, "500", code="census")
    spend("130.00", source_id=1)  # publicity, street level: beyond its 100
    spend("40.00", source_id=2, level="community", unit=org.c1)  # no community line
    report = execution_report(staff, first_year=2014, last_year=2014)
    rows = {(r.category.code, r.level): r for r in report.rows}
    street = rows[("publicity", "street")]
    assert (street.total.budget, street.total.spent, street.total.over) == (
        Decimal("100.00"),
        Decimal("130.00"),
        True,
    )
    assert rows[("publicity", "community")].total.spent == Decimal("40.00")
    assert rows[("census", "street")].total.over is False
    assert [line.category.code for line in report.over_lines] == ["publicity"]
    assert report.unbudgeted.spent == Decimal("40.00")
    by_category = {r.category.code: r.total for r in report.by_category}
    assert by_category["publicity"].spent == Decimal("170.00")
    assert by_category["census"].budget == Decimal("500.00")


def test_pages_print_and_workbook(spend, staff, staff_actor, org, category, client_for) -> None:
    _budget(staff_actor, org, category, 2014, "100")
    spend("130.00", source_id=1)
    client = client_for(staff)
    page = client.get("/funds/?first=2013&last=2014")
    assert page.status_code == 200
    html = page.content.decode()
    assert "宣传" in html
    assert "超出预算" in html
    assert (
        "/funds/entries/?first=2014&amp;last=2014&amp;category=publicity&amp;level=street" in html
    )
    assert client.get("/funds/report/print/?first=2013&last=2014").status_code == 200
    export = client.get("/funds/report/export.xlsx?first=2013&last=2014")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any(row[0] == "宣传" and 130 in row for row in values)
    drill = client.get("/funds/entries/?first=2014&last=2014&category=publicity&level=street")
    assert drill.status_code == 200
    assert "130.00" in drill.content.decode()
    assert client.get("/funds/?first=2015&last=2013").status_code == 400


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("first=1850&last=2014", "年度须在 2000 至 2100 之间"),
        ("first=abc&last=2014", "年度请填写整数"),
        ("first=2015&last=2013", "起始年度不能晚于截止年度"),
        ("first=2000&last=2026", "最多涵盖 20 年"),
    ],
)
def test_years_that_cannot_be_show_the_report_again_with_them(
    staff, client_for, query, message
) -> None:
    page = client_for(staff).get(f"/funds/?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    typed_first = query.split("&")[0].split("=")[1]
    assert f'name="first" value="{typed_first}"' in html  # the input kept
    assert 'data-testid="report-rows"' in html  # the last five years' report below


def test_a_cell_spent_without_a_budget_is_marked_so_not_as_overspent(
    spend, staff, client_for
) -> None:
    spend("40.00", source_id=2)  # publicity, street level, 2014: no budget at all
    report = execution_report(staff, first_year=2014, last_year=2014)
    [row] = report.rows
    assert (row.total.over, row.total.no_budget) == (False, True)
    assert report.over_lines == []
    assert report.unbudgeted.spent == Decimal("40.00")
    html = client_for(staff).get("/funds/?first=2014&last=2014").content.decode()
    assert "无预算" in html
    assert "badge badge-warn" not in html


def test_leaders_and_supervisors_read_community_workers_see_their_community(
    spend, make_user, client_for, org
) -> None:
    spend("10.00", source_id=1, level="community", unit=org.c1)
    spend("20.00", source_id=2, level="community", unit=org.c2)
    for role in (Role.LEADER, Role.DISTRICT_SUPERVISOR):
        client = client_for(make_user(role))
        assert client.get("/funds/?first=2014&last=2014").status_code == 200
    worker = make_user(Role.COMMUNITY_WORKER)
    report = execution_report(worker, first_year=2014, last_year=2014)
    assert report.total.spent == Decimal("10.00")
    assert client_for(make_user(Role.PARTNER_REPORTER)).get("/funds/").status_code == 403
    # Only street staff manage budgets.
    assert client_for(worker).get("/funds/budget/new/").status_code == 403
