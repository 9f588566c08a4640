"""Standard form pages: every form for every period kind, the workbook, the print view,
bad periods, and who may open them."""

from __future__ import annotations

import io
import urllib.parse

import pytest
from openpyxl import load_workbook

from jisheng.audit.models import AuditEvent
from jisheng.core.roles import Role
from jisheng.reports.forms.standard import FORMS
from jisheng.reports.rollups.services import rollups_rebuild

PERIODS = (
    {"kind": "month", "year": "2025", "month": "3"},
    {"kind": "quarter", "year": "2025", "quarter": "1"},
    {"kind": "year", "year": "2024"},
)


@pytest.mark.parametrize("slug", sorted(FORMS))
@pytest.mark.parametrize("period", PERIODS)
def test_every_form_opens_for_every_kind_of_period(
    org, make_user, make_person, client_for, slug, period
) -> None:
    make_person(org.c1)
    client = client_for(make_user(Role.STREET_STAFF))
    page = client.get(f"/reports/forms/{slug}/", period)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="form-table"' in body
    assert org.c1.name in body
    assert org.c2.name in body
    assert 'data-testid="total-row"' in body


def test_the_default_period_is_last_month(org, make_user, client_for) -> None:
    page = client_for(make_user(Role.STREET_STAFF)).get("/reports/forms/population/")
    assert page.status_code == 200
    assert 'data-testid="form-table"' in page.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "month", "year": "2025"}, "请选择月报的月份"),
        ({"kind": "quarter", "year": "2025", "quarter": "5"}, "选择一个有效的选项"),
        ({"kind": "year", "year": "abc"}, "输入整数"),
        ({"kind": "year", "year": "1800"}, "须在 1990 至"),
        ({"kind": "year", "year": "99999999999999999999999"}, "须在 1990 至"),
        ({"kind": "week", "year": "2025"}, "选择一个有效的选项"),
    ],
)
def test_a_bad_period_shows_the_form_again_with_a_chinese_message(
    org, make_user, client_for, query, message
) -> None:
    client = client_for(make_user(Role.STREET_STAFF))
    for view in ("", "xlsx/", "print/"):
        page = client.get(f"/reports/forms/benefits/{view}", query)
        assert page.status_code == 400, (view, query)
        assert message in page.content.decode(), (view, page.content.decode()[-3000:])


def test_a_period_that_has_not_begun_is_refused(org, make_user, client_for) -> None:
    page = client_for(make_user(Role.STREET_STAFF)).get(
        "/reports/forms/population/", {"kind": "year", "year": "2100"}
    )
    assert page.status_code == 400


def test_the_workbook_has_the_communities_the_total_row_and_a_chinese_name(
    org, make_user, make_person, client_for
) -> None:
    for _ in range(3):
        make_person(org.c1)
    for _ in range(6):
        make_person(org.c2, name="李四")
    rollups_rebuild()  # the population form reads the rollups
    client = client_for(make_user(Role.STREET_STAFF))
    period = {"kind": "year", "year": "2025"}
    response = client.get("/reports/forms/population/xlsx/", period)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    disposition = urllib.parse.unquote(response["Content-Disposition"])
    assert "人口" in disposition
    assert ".xlsx" in disposition
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(rows) if row[0] == "社区")
    header, data = rows[header_at], rows[header_at + 1 :]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == f"${header_at + 1}:${header_at + 1}"
    total = data[-1]
    assert total[0] == "合计"
    residents = header.index(next(h for h in header if h.endswith("· 合计")))
    by_unit = {row[0]: row[residents] for row in data[:-1]}
    assert by_unit[org.c1.name] == 3
    assert by_unit[org.c2.name] == 6
    assert total[residents] == sum(by_unit.values()) == 9
    assert sheet.cell(row=header_at + 1 + len(data), column=1).font.b
    assert AuditEvent.objects.filter(action="export", object_type="reports.standard_form").exists()


def test_the_outside_workbook_suppresses_small_counts(
    org, make_user, make_person, client_for
) -> None:
    for _ in range(3):
        make_person(org.c1)
    for _ in range(6):
        make_person(org.c2, name="李四")
    rollups_rebuild()  # the population form reads the rollups
    client = client_for(make_user(Role.STREET_STAFF))
    response = client.get(
        "/reports/forms/population/xlsx/", {"kind": "year", "year": "2025", "audience": "outside"}
    )
    assert "对外" in urllib.parse.unquote(response["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(rows) if row[0] == "社区")
    data = {row[0]: row for row in rows[header_at + 1 :]}
    assert "<5" in data[org.c1.name]
    # c1's 3 cannot be worked out from the total: the total or c2's figure is hidden too.
    header = rows[header_at]
    residents = header.index(next(h for h in header if h.endswith("· 合计")))
    assert data[org.c1.name][residents] == "<5"
    assert "×" in (data[org.c2.name][residents], data["合计"][residents])
    assert all(3 not in row for row in rows[header_at + 1 :])


def test_the_print_view_repeats_its_header_on_each_page(org, make_user, client_for) -> None:
    page = client_for(make_user(Role.STREET_STAFF)).get(
        "/reports/forms/prepregnancy/print/", {"kind": "quarter", "year": "2025", "quarter": "2"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "print-landscape" in body
    assert "<thead>" in body
    assert "print.css" in body


@pytest.mark.parametrize("role", [Role.PARTNER_REPORTER, Role.SYSTEM_ADMIN, Role.SECURITY_AUDITOR])
def test_roles_without_records_or_oversight_are_refused(org, make_user, client_for, role) -> None:
    client = client_for(make_user(role))
    for url in (
        "/reports/forms/",
        "/reports/forms/population/",
        "/reports/forms/population/xlsx/",
        "/reports/forms/population/print/",
    ):
        assert client.get(url).status_code == 403, (role, url)


def test_an_unknown_form_is_not_found(org, make_user, client_for) -> None:
    client = client_for(make_user(Role.STREET_STAFF))
    assert client.get("/reports/forms/no-such-form/").status_code == 404


@pytest.mark.parametrize(
    ("role", "unit", "rows"),
    [
        (Role.COMMUNITY_WORKER, "c1", {"c1"}),
        (Role.STREET_STAFF, "street", {"c1", "c2"}),
        (Role.LEADER, "street", {"c1", "c2"}),
        (Role.DISTRICT_SUPERVISOR, "district", {"c1", "c2"}),
    ],
)
def test_each_role_sees_the_communities_of_its_area(
    org, make_user, make_person, client_for, role, unit, rows
) -> None:
    make_person(org.c1)
    make_person(org.c2, name="李四")
    client = client_for(make_user(role, getattr(org, unit)))
    for slug in FORMS:
        body = client.get(f"/reports/forms/{slug}/", {"kind": "year", "year": "2025"})
        text = body.content.decode()
        assert body.status_code == 200, (role, slug)
        for name in ("c1", "c2"):
            assert (getattr(org, name).name in text) == (name in rows), (role, slug, name)
