"""Partner reports: a partner sees only what it reported; confirming creates the registry
event and the inflow record in one call; rejecting needs a reason the partner sees; the
workbook is all rows or none; a second submit does not double a report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.roles import Role
from jisheng.migrants.models import MigrantRecord, PartnerReport, ReportState
from jisheng.migrants.selectors import partners as selectors
from jisheng.migrants.services import partners
from jisheng.migrants.services.partners import ReportsRefused
from jisheng.registry.models import LifeEvent, Person, ResidentStatus
from support.migrants import id_number, tenant

pytestmark = pytest.mark.django_db


def test_a_partner_never_sees_another_partners_reports(org, worker, make_partner, estate) -> None:
    first, second = make_partner("王房东", complex_=estate), make_partner("李房东")
    mine = partners.report_submit(actor=Actor(user=first.account), data=tenant())
    theirs = partners.report_submit(actor=Actor(user=second.account), data=tenant(name="陈志强"))
    assert list(selectors.reports(first.account)) == [mine]
    assert list(selectors.reports(second.account)) == [theirs]
    with pytest.raises(NotFound):
        selectors.report_detail(first.account, theirs.pk)
    # Every read is its own reports at most; no records, no residents.
    assert list(selectors.worklist(first.account)) == [mine]
    assert not Person.objects.visible_to(first.account).exists()
    assert not MigrantRecord.objects.visible_to(first.account).exists()
    assert set(selectors.worklist(worker)) == {mine, theirs}
    assert mine.complex == estate
    assert theirs.complex is None


def test_an_account_without_a_partner_cannot_report(org, make_user) -> None:
    account = make_user(Role.PARTNER_REPORTER, org.c1)
    with pytest.raises(Forbidden):
        partners.report_submit(actor=Actor(user=account), data=tenant())


def test_the_same_report_sent_twice_is_kept_once(landlord) -> None:
    data = tenant()
    first = partners.report_submit(actor=Actor(user=landlord.account), data=data)
    again = partners.report_submit(actor=Actor(user=landlord.account), data=tenant(**vars(data)))
    assert again == first
    assert PartnerReport.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"moved_on": dt.date(2099, 1, 1)}, "晚于今天"),
        ({"moved_on": dt.date(1990, 1, 1)}, "出生"),
        ({"region_code": "519999"}, "GB/T 2260"),
        ({"id_number": "5107221994060112"}, "身份证号码"),
    ],
)
def test_bad_reports_are_refused_in_chinese(landlord, changes, message) -> None:
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ReportsRefused) as caught:
        partners.report_submit(actor=Actor(user=landlord.account), data=tenant(**changes))
    assert message in "；".join(caught.value.problems)
    assert not PartnerReport.objects.exists()


def test_confirming_a_move_in_creates_the_event_and_the_inflow_record(worker, landlord) -> None:
    report = partners.report_submit(actor=Actor(user=landlord.account), data=tenant())
    done = partners.report_confirm(actor=Actor(user=worker), report=report)
    assert done.state == ReportState.CONFIRMED
    assert done.decided_by == worker
    record = MigrantRecord.objects.get(pk=done.record_id)
    assert record.landlord == landlord
    assert record.complex == landlord.complex
    assert record.region_code == "510722"
    assert LifeEvent.objects.get(pk=record.move_event_id).kind == LifeEvent.Kind.MOVE_IN
    assert Person.objects.get(pk=record.person_id).name == "刘晓梅"
    assert list(selectors.reports(landlord.account, state=ReportState.CONFIRMED)) == [report]
    with pytest.raises(Conflict):
        partners.report_confirm(actor=Actor(user=worker), report=report)


def test_confirming_a_move_out_ends_the_record_with_the_move_out_event(worker, landlord) -> None:
    data = tenant()
    arrived = partners.report_submit(actor=Actor(user=landlord.account), data=data)
    partners.report_confirm(actor=Actor(user=worker), report=arrived)
    left = partners.report_submit(
        actor=Actor(user=landlord.account),
        data=tenant(kind="move_out", id_number=data.id_number, moved_on=dt.date(2026, 4, 2)),
    )
    done = partners.report_confirm(actor=Actor(user=worker), report=left)
    record = MigrantRecord.objects.get(pk=done.record_id)
    assert record.ended_on == dt.date(2026, 4, 2)
    assert LifeEvent.objects.get(pk=record.end_event_id).kind == LifeEvent.Kind.MOVE_OUT
    assert Person.objects.get(pk=record.person_id).status == ResidentStatus.MOVED_OUT


def test_a_move_out_of_nobody_on_record_cannot_be_confirmed(worker, landlord) -> None:
    report = partners.report_submit(
        actor=Actor(user=landlord.account), data=tenant(kind="move_out")
    )
    with pytest.raises(Conflict):
        partners.report_confirm(actor=Actor(user=worker), report=report)
    assert PartnerReport.objects.get(pk=report.pk).state == ReportState.PENDING


def test_rejecting_needs_a_reason_the_partner_sees(worker, landlord) -> None:
    report = partners.report_submit(actor=Actor(user=landlord.account), data=tenant())
    with pytest.raises(JishengError):
        partners.report_reject(actor=Actor(user=worker), report=report, reason="  ")
    partners.report_reject(actor=Actor(user=worker), report=report, reason="身份证号与本人不符")
    seen = selectors.reports(landlord.account).get()
    assert seen.state == ReportState.REJECTED
    assert seen.reason == "身份证号与本人不符"
    assert not MigrantRecord.objects.exists()


def test_a_worker_of_another_community_cannot_decide(org, make_user, landlord) -> None:
    report = partners.report_submit(actor=Actor(user=landlord.account), data=tenant())
    other = make_user(Role.COMMUNITY_WORKER, org.c2)
    with pytest.raises(NotFound):
        partners.report_confirm(actor=Actor(user=other), report=report)


def workbook(*rows: list[object]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(partners.TEMPLATE_HEADERS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("reports.xlsx", buffer.getvalue())


def row(name: str, number: str, day: str, kind: str = "入住") -> list[object]:
    # 类型 姓名 性别 出生日期 身份证号码 联系电话 户口性质 户籍地 现住址 工作单位 日期
    return [kind, name, "", "", number, "", "农村", "510722", "枣园小区 1 号楼", "", day]


def test_a_workbook_is_all_rows_or_none_and_bad_rows_are_named(landlord) -> None:
    good = row("刘晓梅", id_number(dt.date(1994, 6, 1), "F"), "2026-03-01")
    bad_date = row("陈志强", id_number(dt.date(1990, 1, 2), "M"), "2026-02-30")
    future = row("赵小燕", id_number(dt.date(1991, 1, 2), "F"), "2099-01-01")
    with pytest.raises(ReportsRefused) as caught:
        partners.reports_upload(
            actor=Actor(user=landlord.account), upload=workbook(good, bad_date, future)
        )
    problems = caught.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("第 3 行")
    assert problems[1].startswith("第 4 行")
    assert not PartnerReport.objects.exists()
    saved = partners.reports_upload(actor=Actor(user=landlord.account), upload=workbook(good))
    again = partners.reports_upload(actor=Actor(user=landlord.account), upload=workbook(good))
    assert saved == again
    assert PartnerReport.objects.count() == 1


def test_complex_overview_counts_partners_and_their_reporting(worker, make_partner, estate):
    active, _quiet = (
        make_partner("王房东", complex_=estate),
        make_partner("李房东", complex_=estate),
    )
    partners.report_submit(actor=Actor(user=active.account), data=tenant())
    partners.report_submit(actor=Actor(user=active.account), data=tenant(name="陈志强"))
    [row_] = selectors.complex_overview(worker)
    assert (row_.partners, row_.reporting, row_.reports, row_.pending) == (2, 1, 2, 2)
    assert row_.rate == 50


def test_partner_accounts_link_once_and_only_in_the_area(org, worker, make_user) -> None:
    account = make_user(Role.PARTNER_REPORTER, org.c1)
    elsewhere = make_user(Role.PARTNER_REPORTER, org.c2)
    partners.partner_create(
        actor=Actor(user=worker),
        kind="employer",
        name="恒达纺织厂",
        community=org.c1,
        account=account,
    )
    for candidate in (account, elsewhere):
        with pytest.raises(JishengError):
            partners.partner_create(
                actor=Actor(user=worker),
                kind="landlord",
                name="房东",
                community=org.c1,
                account=candidate,
            )
