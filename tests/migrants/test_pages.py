"""The pages: a partner's menu and home hold only its reporting pages; the worker confirms
from the worklist; bad dates show the form again with a Chinese message; lists print."""

from __future__ import annotations

import datetime as dt

import pytest

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.migrants.models import MigrantRecord, PartnerReport, ReportState
from jisheng.migrants.services import partners, records
from support.migrants import id_number, tenant

pytestmark = pytest.mark.django_db


def report_form(**changes: str) -> dict[str, str]:
    fields = {
        "kind": "move_in",
        "name": "刘晓梅",
        "id_number": id_number(dt.date(1994, 6, 1), "F"),
        "moved_on": "2026-03-01",
        "hukou_type": "rural",
        "region_code": "510722",
        "address": "枣园小区 3 号楼 201 室",
    }
    fields.update(changes)
    return fields


def test_a_partners_menu_and_home_show_only_its_reporting_pages(client_for, landlord) -> None:
    client = client_for(landlord.account)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="reporting-panel"' in home
    assert "/migrants/my-reports/new/" in home
    for elsewhere in ("/registry/", "/migrants/inflow/", "/migrants/worklist/", "/benefits/"):
        assert f'href="{elsewhere}' not in home, elsewhere
    for page in ("/migrants/inflow/", "/migrants/worklist/", "/migrants/complexes/"):
        assert client.get(page).status_code == 403


@pytest.mark.parametrize(
    ("moved_on", "message"),
    [("2026-02-30", "有效的日期"), ("2099-01-01", "晚于今天"), ("1990-01-01", "出生")],
)
def test_bad_dates_show_the_form_again_in_chinese(client_for, landlord, moved_on, message):
    client = client_for(landlord.account)
    response = client.post(
        "/migrants/my-reports/new/",
        report_form(moved_on=moved_on),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "刘晓梅" in page  # the input is kept
    assert not PartnerReport.objects.exists()


def test_report_then_confirm_through_the_pages(client_for, worker, landlord) -> None:
    partner = client_for(landlord.account)
    response = partner.post("/migrants/my-reports/new/", report_form())
    assert response.status_code == 302
    report = PartnerReport.objects.get()
    staff = client_for(worker)
    assert "刘晓梅" in staff.get("/migrants/worklist/").content.decode()
    response = staff.post(f"/migrants/reports/{report.pk}/confirm/")
    record = MigrantRecord.objects.get()
    assert response["Location"] == f"/migrants/records/{record.pk}/"
    detail = staff.get(f"/migrants/records/{record.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = detail.content.decode()
    assert "四川省绵阳市三台县（510722）" in page
    assert 'data-event="move_in"' in page
    mine = partner.get("/migrants/my-reports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert str(ReportState.CONFIRMED.label) in mine or "已确认" in mine


def test_rejecting_without_a_reason_shows_the_page_again(client_for, worker, landlord) -> None:
    report = partners.report_submit(actor=Actor(user=landlord.account), data=tenant())
    staff = client_for(worker)
    response = staff.post(f"/migrants/reports/{report.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    response = staff.post(f"/migrants/reports/{report.pk}/reject/", {"reason": "查无此人"})
    assert response.status_code == 302
    mine = client_for(landlord.account).get("/migrants/my-reports/").content.decode()
    assert "查无此人" in mine


def test_lists_render_for_staff_and_refuse_partners(client_for, worker, make_user, org) -> None:
    street = client_for(make_user(Role.STREET_STAFF))
    for url in (
        "/migrants/inflow/",
        "/migrants/outflow/",
        "/migrants/stale/",
        "/migrants/complexes/",
        "/migrants/partners/",
        "/migrants/worklist/",
        "/migrants/inflow/new/",
        "/migrants/outflow/new/",
        "/migrants/complexes/new/",
        "/migrants/partners/new/",
    ):
        assert street.get(url).status_code == 200, url
        assert client_for(worker).get(url).status_code == 200, url


def test_the_template_downloads_and_an_upload_of_it_empty_is_refused(client_for, landlord):
    client = client_for(landlord.account)
    response = client.get("/migrants/my-reports/template.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("template.xlsx", content)
    response = client.post("/migrants/my-reports/upload/", {"file": upload})
    assert response.status_code == 400
    assert not PartnerReport.objects.exists()


def inflow_form(org, **changes: str) -> dict[str, str]:
    fields = {
        "name": "陈志强",
        "sex": "M",
        "id_number": id_number(dt.date(1990, 1, 2), "M"),
        "hukou_type": "rural",
        "region_code": "510722",
        "moved_on": "2026-03-01",
        "community": str(org.c1.pk),
        "address": "枣园小区 2 号楼",
    }
    fields.update(changes)
    return fields


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"moved_on": "2026-02-30"}, "有效的日期"),
        ({"moved_on": "2099-01-01"}, "晚于今天"),
        ({"moved_on": "1989-12-31"}, "出生"),
        ({"region_code": "519999"}, "GB/T 2260"),
    ],
)
def test_inflow_page_refuses_bad_input_in_chinese_and_keeps_it(
    client_for, worker, org, changes, message
) -> None:
    response = client_for(worker).post(
        "/migrants/inflow/new/", inflow_form(org, **changes), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "陈志强" in page
    assert not MigrantRecord.objects.exists()


def test_inflow_page_records_a_new_arrival_once(client_for, worker, org) -> None:
    client = client_for(worker)
    data = inflow_form(org)
    response = client.post("/migrants/inflow/new/", data)
    record = MigrantRecord.objects.get()
    assert response["Location"] == f"/migrants/records/{record.pk}/"
    again = client.post("/migrants/inflow/new/", data)  # the second click of a double click
    assert again.status_code in {200, 302, 409}
    assert MigrantRecord.objects.count() == 1
    listed = client.get("/migrants/inflow/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "四川省绵阳市三台县（510722）" in listed


def test_confirming_twice_shows_the_page_with_the_refusal(client_for, worker, landlord) -> None:
    """Back then Save again on a confirmed report: the page says why, never a 500."""
    report = partners.report_submit(actor=Actor(user=landlord.account), data=tenant())
    staff = client_for(worker)
    url = f"/migrants/reports/{report.pk}/confirm/"
    assert staff.post(url).status_code == 302
    again = staff.post(url, {"save_again": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert again.status_code == 409
    assert 'data-testid="confirm-error"' in again.content.decode()
    assert MigrantRecord.objects.count() == 1
    mine = client_for(landlord.account).get("/migrants/my-reports/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已确认" in mine.content.decode()


def _outflow(worker, person, moved_on: dt.date) -> MigrantRecord:
    return records.outflow_open(
        actor=Actor(user=worker), person=person, moved_on=moved_on, region_code="440306"
    )


def test_the_month_filter_lists_every_move_of_the_month_in_scope(
    org, worker, make_user, make_person, client_for
) -> None:
    ended = _outflow(worker, make_person(org.c1, name="甲外出"), dt.date(2026, 2, 3))
    records.record_end(actor=Actor(user=worker), record=ended, ended_on=dt.date(2026, 4, 1))
    _outflow(worker, make_person(org.c1, name="乙外出"), dt.date(2026, 2, 27))
    _outflow(worker, make_person(org.c1, name="丙外出"), dt.date(2026, 3, 1))
    street = make_user(Role.STREET_STAFF)
    _outflow(street, make_person(org.c2, name="丁外出"), dt.date(2026, 2, 10))

    client = client_for(worker)
    page = client.get("/migrants/outflow/", {"month": "2026-02"})
    assert page.status_code == 200
    # The ended record counts too (the dashboard counted it); March and c2 do not.
    assert {r["record"].person.name for r in page.context["rows"]} == {"甲外出", "乙外出"}
    # Without a filter: the open records the worker serves.
    plain = client.get("/migrants/outflow/")
    assert {r["record"].person.name for r in plain.context["rows"]} == {"乙外出", "丙外出"}
    # A street sees its communities, one at a time when asked.
    by_street = client_for(street).get(
        "/migrants/outflow/", {"since": "2026-02", "community": org.c2.pk}
    )
    assert {r["record"].person.name for r in by_street.context["rows"]} == {"丁外出"}


@pytest.mark.parametrize(
    "query",
    [
        {"month": "2026-13"},
        {"month": "二月"},
        {"since": "26-2"},
        {"month": "9999-12"},
        {"since": "0001-01"},
    ],
)
def test_a_bad_month_shows_the_list_again_with_a_chinese_message(worker, client_for, query) -> None:
    response = client_for(worker).get("/migrants/inflow/", query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "月份请写成“年-月”" in response.content.decode()


def test_another_communitys_records_cannot_be_asked_for(org, worker, client_for) -> None:
    response = client_for(worker).get(
        "/migrants/inflow/", {"community": org.c2.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
