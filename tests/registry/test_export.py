"""Exporting the resident list: same filters and scope as the page, masked, safe, audited."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jisheng.audit.models import AuditEvent
from jisheng.core.roles import Role
from jisheng.registry.exporting import EXPORT_HEADERS
from jisheng.registry.models import Person, ResidentStatus

CSV = "registry:person_export_csv"
XLSX = "registry:person_export_xlsx"


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Chinese Windows reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[object]]:
    raw = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(raw)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def residents(org, make_person) -> dict[str, Person]:
    made = {
        "wang": make_person(org.c1, name="王春燕", sex="F", birth_date=dt.date(1985, 3, 2)),
        "formula": make_person(org.c1, name="=cmd|' /C calc'!A0"),
        "li": make_person(org.c2, name="李四"),
    }
    Person.objects.filter(name="王春燕").update(name_initials="wcy")
    return made


@pytest.fixture
def worker(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER, username="export_worker"))


def test_csv_export_lists_the_worker_s_community_with_masked_numbers(residents, worker) -> None:
    response = worker.get(reverse(CSV))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert rows[0] == list(EXPORT_HEADERS)
    by_name = {row[0]: row for row in rows[1:]}
    wang = residents["wang"]
    assert by_name[wang.name] == [
        wang.name,
        "女",
        "1985-03-02",
        wang.id_number_masked,
        wang.community.name,
        wang.address,
        "在住",
    ]
    assert "李四" not in by_name  # another community
    body = "\n".join(",".join(row) for row in rows)
    for person in residents.values():
        assert person.id_number not in body
        assert person.phone not in body


def test_xlsx_export_has_the_same_rows(residents, worker) -> None:
    response = worker.get(reverse(XLSX))

    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert rows[0] == list(EXPORT_HEADERS)
    names = sorted(str(row[0]) for row in rows[1:])
    assert names == sorted(["'=cmd|' /C calc'!A0", "王春燕"])
    wang = next(row for row in rows if row[0] == "王春燕")
    assert wang[2] == dt.datetime(1985, 3, 2)  # a real date cell  # noqa: DTZ001
    assert wang[3] == residents["wang"].id_number_masked


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_every_cell_that_starts_a_formula_is_neutralised(org, make_person, worker, url) -> None:
    for name in ("=SUM(A1)", "+86", "-1", "@cmd"):
        person = make_person(org.c1, name=name)
        Person.objects.filter(pk=person.pk).update(address=name)
    rows = (csv_rows if url == CSV else xlsx_rows)(worker.get(reverse(url)))
    cells = [str(cell) for row in rows[1:] for cell in row if cell is not None]
    assert {"'=SUM(A1)", "'+86", "'-1", "'@cmd"} <= set(cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_xlsx_cells_are_never_formulas(org, make_person, worker) -> None:
    make_person(org.c1, name="=1+1")
    raw = b"".join(worker.get(reverse(XLSX)).streaming_content)
    sheet = load_workbook(io.BytesIO(raw)).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_follows_the_list_filters(org, residents, make_user, client_for) -> None:
    street = client_for(make_user(Role.STREET_STAFF))
    Person.objects.filter(pk=residents["li"].pk).update(status=ResidentStatus.MOVED_OUT)

    everyone = [row[0] for row in csv_rows(street.get(reverse(CSV)))[1:]]
    in_c2 = [row[0] for row in csv_rows(street.get(reverse(CSV), {"community": org.c2.pk}))[1:]]
    by_name = [row[0] for row in csv_rows(street.get(reverse(CSV), {"name": "王"}))[1:]]
    by_initials = [row[0] for row in csv_rows(street.get(reverse(CSV), {"name": "wcy"}))[1:]]
    moved = csv_rows(street.get(reverse(CSV), {"status": "moved_out"}))[1:]
    by_id = csv_rows(street.get(reverse(CSV), {"id_number": residents["wang"].id_number}))[1:]

    assert sorted(everyone) == sorted(["'=cmd|' /C calc'!A0", "李四", "王春燕"])
    assert in_c2 == ["李四"]
    assert by_name == by_initials == ["王春燕"]
    assert [(row[0], row[6]) for row in moved] == [("李四", "已迁出")]
    assert [row[0] for row in by_id] == ["王春燕"]


def test_voided_records_are_left_out_unless_asked_for(org, residents, worker) -> None:
    Person.objects.filter(pk=residents["wang"].pk).update(status=ResidentStatus.VOIDED)
    names = [row[0] for row in csv_rows(worker.get(reverse(CSV)))[1:]]
    assert "王春燕" not in names
    voided = csv_rows(worker.get(reverse(CSV), {"status": "voided"}))[1:]
    assert [(row[0], row[6]) for row in voided] == [("王春燕", "已作废")]


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_every_export_is_audited_without_the_searched_values(residents, make_user, client_for, url):
    user = make_user(Role.COMMUNITY_WORKER)
    client = client_for(user)
    number = residents["wang"].id_number

    client.get(reverse(url), {"id_number": number, "name": "王"})

    event = AuditEvent.objects.get(action="export", user_id=user.pk)
    assert event.object_type == "registry.person"
    assert event.detail["format"] == ("csv" if url == CSV else "xlsx")
    assert event.detail["count"] == 1
    assert event.detail["filters"]["id_number"] is True
    assert number not in str(event.detail)
    assert "王" not in str(event.detail)


@pytest.mark.parametrize(
    "role", [Role.PARTNER_REPORTER, Role.SECURITY_AUDITOR, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN]
)
@pytest.mark.parametrize("url", [CSV, XLSX])
def test_roles_without_personal_data_cannot_export(residents, make_user, client_for, role, url):
    client = client_for(make_user(role))
    assert client.get(reverse(url)).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_a_community_outside_the_area_is_a_bad_filter(org, residents, worker, url) -> None:
    worker.raise_request_exception = False
    response = worker.get(reverse(url), {"community": org.c2.pk})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="export").exists()


def test_leaders_export_the_whole_street(residents, make_user, client_for) -> None:
    leader = client_for(make_user(Role.LEADER))
    names = [row[0] for row in csv_rows(leader.get(reverse(CSV)))[1:]]
    assert len(names) == 3
