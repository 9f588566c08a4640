"""The pivot page: figures cut two ways equal direct counts of the same records, only in the
viewer's area; every question it cannot answer is a message; favourites are one's own."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from tests.registry.conftest import new_id_number

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.dates import add_months
from jisheng.core.roles import Role
from jisheng.registry.models import LifeEvent, Person, ResidentStatus
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData
from jisheng.reports.models import SavedPivot
from jisheng.reports.pivot import selectors as pivot_selectors
from jisheng.reports.rollups.services import rollups_rebuild

URL = "/reports/pivot/"


@pytest.fixture
def area(org, make_user, make_person):
    """Two communities of one street: mothers, and births over the last months in each."""
    staff = make_user(Role.STREET_STAFF)
    actor = Actor(user=staff, ip="127.0.0.1")
    today = timezone.localdate()
    this_month = today.replace(day=1)
    mothers = [
        make_person(org.c1, name="王芳", sex="F", birth_date=dt.date(1990, 3, 1)),
        make_person(org.c1, name="李娜", sex="F", birth_date=dt.date(1992, 6, 1)),
        make_person(org.c2, name="赵敏", sex="F", birth_date=dt.date(1988, 1, 1)),
    ]
    make_person(org.c2, name="钱伟", sex="M", birth_date=dt.date(1960, 1, 1))
    # (mother, months ago, sex): the second mother's second child makes a birth order 2.
    # Recorded in this order, so the later child of a mother is her second (at least 150
    # days after her first, as the registry demands).
    for mother, ago, sex in [
        (mothers[2], 30, "M"),  # outside the default twelve months
        (mothers[0], 1, "M"),
        (mothers[1], 8, "F"),
        (mothers[1], 0, "F"),
        (mothers[2], 1, "M"),
    ]:
        born = add_months(this_month, -ago)
        events.birth_record(
            actor=actor,
            mother=mother,
            child=PersonData(
                name="小宝", sex=sex, birth_date=born, id_number=new_id_number(born, sex)
            ),
        )
    rollups_rebuild()
    return {
        "street": staff,
        "worker": make_user(Role.COMMUNITY_WORKER),
        "leader": make_user(Role.LEADER),
        "district": make_user(Role.DISTRICT_SUPERVISOR),
        "partner": make_user(Role.PARTNER_REPORTER),
    }


def table_of(response) -> dict[str, list[str]]:
    """Row label → the row's cells as shown, from the page's table (total row included)."""
    html = response.content.decode()
    assert 'data-testid="form-table"' in html, html[:2000]

    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html.split('data-testid="form-table"')[1], re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    return rows


def test_residents_by_unit_and_sex_equal_a_direct_count(area, org, client_for) -> None:
    response = client_for(area["street"]).get(
        URL, {"measure": "persons", "rows": "unit", "columns": "sex", "f_status": "living"}
    )
    assert response.status_code == 200
    rows = table_of(response)
    expected = Counter(
        (p.community.name, p.sex)
        for p in Person.objects.filter(status=ResidentStatus.LIVING).select_related("community")
    )
    for community in (org.c1, org.c2):
        assert rows[community.name] == [
            str(expected[(community.name, "M")]),
            str(expected[(community.name, "F")]),
            str(expected[(community.name, "M")] + expected[(community.name, "F")]),
        ]
    living = Person.objects.filter(status=ResidentStatus.LIVING).count()
    assert rows["合计"][-1] == str(living)
    assert rows["单位"] == ["男", "女", "合计"]  # headings in Chinese


def test_a_community_worker_sees_only_their_community(area, org, client_for) -> None:
    response = client_for(area["worker"]).get(URL, {"measure": "births", "rows": "unit"})
    rows = table_of(response)
    assert org.c1.name in rows
    assert org.c2.name not in rows
    assert rows[org.c1.name] == ["3"]  # three births in c1 within twelve months


def test_births_by_month_and_order_with_a_filter_and_a_period(area, client_for) -> None:
    today = timezone.localdate()
    last = add_months(today.replace(day=1), -1)
    response = client_for(area["street"]).get(
        URL,
        {
            "measure": "births",
            "rows": "month",
            "columns": "birth_order",
            "f_sex": "M",
            "start": f"{last:%Y-%m}",
            "end": f"{today:%Y-%m}",
        },
    )
    rows = table_of(response)
    # Boys born last month: the first mother's first child and the third mother's second.
    assert rows[f"{last:%Y-%m}"] == ["1", "1", "2"]
    assert f"{today:%Y-%m}" not in rows  # only a girl was born this month
    direct = LifeEvent.objects.filter(
        kind=LifeEvent.Kind.BIRTH, person__sex="M", date__gte=last
    ).count()
    assert rows["合计"][-1] == str(direct)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"measure": "births", "rows": "unit", "value": "amount"}, "没有金额"),
        ({"measure": "births", "rows": "sex", "columns": "sex"}, "不同"),
        ({"measure": "births", "rows": "unit", "start": "2026-13"}, "年-月"),
        ({"measure": "births", "rows": "unit", "start": "1850-01"}, "年度须在"),
        ({"measure": "births", "rows": "unit", "start": "2025-05", "end": "2025-01"}, "晚于"),
        ({"measure": "births", "rows": "program"}, "不能按"),
        ({"measure": "births", "rows": "unit", "f_program": "1"}, "不能这样筛选"),
        ({"measure": "births", "rows": "unit", "f_unit": "9999"}, "单位不在本页可选范围内"),
        ({"measure": "nonsense", "rows": "unit"}, "选择一个有效的选项"),
        (
            {"measure": "births", "rows": "unit", "columns": "month", "start": "2020-01"},
            "表格将有 4 列",
        ),
    ],
)
def test_a_question_it_cannot_answer_is_a_message(
    area, client_for, monkeypatch, question, message
) -> None:
    # A page shows at most 40 columns; two here, so the demo's four months are too many.
    monkeypatch.setattr(pivot_selectors, "MAX_COLUMNS", 2)
    response = client_for(area["street"]).get(URL, question)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html, html
    assert 'data-testid="pivot-form"' in html  # the form again, with what was typed
    if question.get("start"):
        assert question["start"] in html


def test_the_unit_filter_takes_only_the_units_shown(area, org, client_for) -> None:
    street = client_for(area["street"])
    kept = street.get(URL, {"measure": "births", "rows": "unit", "f_unit": str(org.c1.pk)})
    assert kept.status_code == 200
    assert list(table_of(kept)) == ["单位", org.c1.name, "合计"]
    # A worker of community 1 filtering on community 2: not a unit of their page.
    worker = client_for(area["worker"])
    refused = worker.get(URL, {"measure": "births", "rows": "unit", "f_unit": str(org.c2.pk)})
    assert refused.status_code == 400
    assert org.c2.name not in refused.content.decode()


def test_who_may_open_it(area, client_for) -> None:
    for role in ("street", "worker", "leader", "district"):
        assert client_for(area[role]).get(URL).status_code == 200, role
    assert client_for(area["partner"]).get(URL).status_code == 403
    # Pre-pregnancy couples are health figures: a leader sees them as aggregates; the
    # measure list follows each role's duties.
    leader_page = client_for(area["leader"]).get(URL).content.decode()
    assert 'value="couples"' in leader_page


def test_the_workbook_and_its_outside_version(area, org, client_for) -> None:
    client = client_for(area["street"])
    question = {"measure": "births", "rows": "unit", "columns": "sex"}
    response = client.get(URL + "xlsx/", question)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r[0] == "单位")
    assert header == ["单位", "男", "女", "合计"]
    assert rows[-1][0] == "合计"
    assert rows[-1][-1] == 4
    outside = client.get(URL + "xlsx/", {**question, "audience": "outside"})
    shown = [
        list(r)
        for r in load_workbook(io.BytesIO(b"".join(outside.streaming_content))).active.iter_rows(
            values_only=True
        )
    ]
    assert "<5" in {cell for row in shown for cell in row}
    assert 4 not in {cell for row in shown for cell in row if not isinstance(cell, str)}
    assert AuditEvent.objects.filter(action="export", object_type="reports.pivot").count() == 2
    refused = client.get(
        URL + "xlsx/",
        {"measure": "payouts", "rows": "unit", "value": "amount", "audience": "outside"},
    )
    assert refused.status_code == 400


def test_print_and_chart_views(area, client_for) -> None:
    client = client_for(area["leader"])
    question = {"measure": "births", "rows": "unit", "columns": "sex"}
    printed = client.get(URL + "print/", question)
    assert printed.status_code == 200
    assert 'data-testid="pivot-print-sheet"' in printed.content.decode()
    chart = client.get(URL, {**question, "show": "chart"}).content.decode()
    assert 'id="pivot-data"' in chart
    assert "echarts.min.js" in chart


def test_favourites_are_one_own(area, client_for) -> None:
    client = client_for(area["street"])
    question = urlencode({"measure": "births", "rows": "unit", "columns": "sex"})
    saved = client.post(URL + "favourites/", {"name": "每月出生", "query": question})
    assert saved.status_code == 302
    assert saved["Location"].endswith(question)
    again = client.post(URL + "favourites/", {"name": "每月出生", "query": question})
    assert again.status_code == 302
    assert SavedPivot.objects.filter(owner=area["street"]).count() == 1  # a second submit
    page = client.get(URL).content.decode()
    assert "每月出生" in page
    favourite = SavedPivot.objects.get()
    other = client_for(area["leader"])
    assert "每月出生" not in other.get(URL).content.decode()
    assert other.post(f"{URL}favourites/{favourite.pk}/delete/").status_code == 404
    assert other.post(f"{URL}favourites/{2**70}/delete/").status_code == 404
    bad = client.post(URL + "favourites/", {"name": "坏的", "query": "measure=nonsense"})
    assert bad.status_code == 400
    assert client.post(f"{URL}favourites/{favourite.pk}/delete/").status_code == 302
    assert not SavedPivot.objects.exists()
