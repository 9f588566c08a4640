"""Historic payments: imported from a workbook as one approved batch marked history."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from jisheng.audit.models import AuditEvent
from jisheng.benefits.models import Entitlement, Payment, PaymentBatch, Program
from jisheng.benefits.services.history import (
    TEMPLATE_HEADER,
    HistoryRowsRefused,
    history_import,
    history_rows,
    read_history_file,
)
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError
from jisheng.core.roles import Role
from jisheng.funds.models import Entry
from jisheng.registry.models import Person

TODAY = dt.date(2026, 6, 1)


def sheet(*rows: tuple[object, ...]) -> list[tuple[object, ...]]:
    return [TEMPLATE_HEADER, *rows]


def line(person: Person, amount: object = "120", paid_on: object = dt.date(2013, 12, 20)):
    return (person.id_number, person.name, amount, paid_on)


def workbook(cells: list[tuple[object, ...]]) -> io.BytesIO:
    book = Workbook()
    for row in cells:
        book.active.append(list(row))
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    return handle


@pytest.fixture
def couples(make_family) -> list[Person]:
    """Three husbands of three couples, each with one child."""
    return [
        make_family(children=(("M", dt.date(2005, 1, 1)),))[0],
        make_family(children=(("F", dt.date(2006, 1, 1)),))[0],
        make_family(children=(("M", dt.date(2007, 1, 1)),))[0],
    ]


def run(street, program: Program, cells, period: str = "2013", **kwargs):
    return history_import(
        actor=Actor(user=street),
        program=program,
        period_text=period,
        rows=history_rows(cells),
        today=TODAY,
        **kwargs,
    )


def test_a_past_year_is_recorded_as_one_approved_batch_with_each_days_date(
    street, program, couples
) -> None:
    only_child = program("only-child-parents")
    cells = sheet(
        line(couples[0], "120"),
        line(couples[1], 120, dt.date(2013, 3, 5)),
        line(couples[2], "120.00", "2013-11-30"),
    )
    batch = run(street, only_child, cells, file_name="2013.xlsx")
    assert batch.imported_history
    assert batch.state == PaymentBatch.State.APPROVED
    assert (batch.period, batch.period_start, batch.period_end) == (
        "2013",
        dt.date(2013, 1, 1),
        dt.date(2013, 12, 31),
    )
    assert batch.approved_total == Decimal("360.00")
    assert batch.approved_count == 3
    lines = Payment.objects.filter(batch=batch).order_by("pk")
    assert {p.status for p in lines} == {Payment.Status.PAID}
    paid_on = {p.person_id: p.settled_at.astimezone().date() for p in lines}
    assert paid_on[couples[1].pk] == dt.date(2013, 3, 5)
    assert paid_on[couples[2].pk] == dt.date(2013, 11, 30)
    # History leaves nobody enrolled: the entitlements behind the lines are stopped.
    assert not Entitlement.objects.filter(program=only_child, status="active").exists()
    event = AuditEvent.objects.get(object_type="benefits.paymentbatch", object_id=str(batch.pk))
    assert event.detail["imported_history"] is True
    assert event.detail["lines"] == 3


def test_imported_history_is_spending_of_its_year_once(street, program, couples) -> None:
    only_child = program("only-child-parents")
    cells = sheet(line(couples[0], "120"), line(couples[1], "80", dt.date(2013, 3, 5)))
    batch = run(street, only_child, cells)
    run(street, only_child, cells)  # the same rows again: the first batch, nothing new

    entries = Entry.objects.filter(source="benefits.payment")
    assert sum(entry.amount for entry in entries) == Decimal("200.00")
    assert {entry.day.year for entry in entries} == {2013}
    assert {entry.record_id for entry in entries} == {batch.pk}


def test_an_ended_program_takes_its_history_and_stays_ended(street, program, couples) -> None:
    late = program("late-marriage-reward")
    assert late.status == Program.Status.ENDED
    batch = run(street, late, sheet(line(couples[0], "300")))
    assert batch.period == "once"
    assert batch.period_start == dt.date(2013, 1, 1)
    late.refresh_from_db()
    assert late.status == Program.Status.ENDED


def test_an_ended_program_refuses_a_period_after_it_ended(street, program, couples) -> None:
    with pytest.raises(JishengError) as refused:
        run(street, program("late-marriage-reward"), sheet(line(couples[0], "300")), "2020")
    assert refused.value.code == "period_outside_program"


def test_a_period_that_is_not_over_is_refused(street, program, couples) -> None:
    with pytest.raises(JishengError) as refused:
        run(street, program("only-child-parents"), sheet(line(couples[0])), "2026")
    assert refused.value.code == "period_not_over"
    assert not PaymentBatch.objects.exists()


def test_bad_rows_refuse_the_whole_file_and_each_is_named(
    street, program, couples, make_person, org
) -> None:
    stranger = make_person(org.c1, name="陌生人")
    stranger.id_number = "110101199003070000"  # a number nobody here has
    cells = sheet(
        line(couples[0]),  # good
        (couples[1].id_number, "别的名字", "120", dt.date(2013, 5, 1)),
        line(couples[2], "abc"),
        line(couples[2], "120", dt.date(2014, 1, 2)),
        line(stranger),
        ("", "无号", "120", dt.date(2013, 5, 1)),
        line(couples[0], "120", "昨天"),
    )
    with pytest.raises(HistoryRowsRefused) as refused:
        run(street, program("only-child-parents"), cells)
    problems = refused.value.problems
    assert problems[0].startswith("未导入任何记录")
    text = "\n".join(problems)
    assert "第 3 行：姓名与该身份证号码的居民不符" in text
    assert "第 4 行：金额不是数字" in text
    assert "第 5 行：发放日期不在 2013 内" in text
    assert "第 6 行：本辖区没有此身份证号码的居民" in text
    assert "第 7 行：缺少身份证号码" in text
    assert "第 8 行：缺少发放日期或不是日期" in text
    assert "第 2 行" not in text
    # All or nothing: the good row was not written either.
    assert not PaymentBatch.objects.exists()
    assert not Payment.objects.exists()


def test_a_unit_twice_in_the_file_or_paid_already_is_refused(street, program, couples) -> None:
    only_child = program("only-child-parents")
    with pytest.raises(HistoryRowsRefused) as refused:
        run(street, only_child, sheet(line(couples[0]), line(couples[0], "120", "2013-02-02")))
    assert "第 3 行：文件中重复发放（另见第 2 行）" in "\n".join(refused.value.problems)
    run(street, only_child, sheet(line(couples[0])))
    with pytest.raises(HistoryRowsRefused) as again:
        run(street, only_child, sheet(line(couples[0], "120", "2013-06-06"), line(couples[1])))
    assert "第 2 行：该期间已有本项目的发放记录" in "\n".join(again.value.problems)
    assert Payment.objects.count() == 1


def test_the_same_rows_imported_again_return_the_first_batch(street, program, couples) -> None:
    only_child = program("only-child-parents")
    cells = sheet(line(couples[0]), line(couples[1]))
    first = run(street, only_child, cells)
    # Re-sorted, amounts typed differently: the same payments.
    second = run(street, only_child, sheet(line(couples[1], "120"), line(couples[0], "120")))
    assert second.pk == first.pk
    assert PaymentBatch.objects.count() == 1
    assert Payment.objects.count() == 2


def test_a_service_program_records_persons_without_money(street, program, make_person, org):
    pupil = make_person(org.c1, name="张学生", birth_date=dt.date(1998, 4, 1))
    batch = run(street, program("school-bonus-check"), sheet(line(pupil, None)))
    assert Payment.objects.get(batch=batch).amount == Decimal("0.00")
    other = make_person(org.c1, name="李学生", birth_date=dt.date(1998, 5, 1))
    with pytest.raises(HistoryRowsRefused) as refused:
        run(street, program("school-bonus-check"), sheet(line(other, "50")))
    assert "不发放现金" in "\n".join(refused.value.problems)


def test_only_the_street_office_imports_history(make_user, program, couples) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    with pytest.raises(Forbidden):
        run(worker, program("only-child-parents"), sheet(line(couples[0])))
    leader = make_user(Role.LEADER)
    with pytest.raises(Forbidden):
        run(leader, program("only-child-parents"), sheet(line(couples[0])))


def test_a_resident_outside_the_area_is_unknown(make_user, program, make_person, org) -> None:
    other_street = make_person(org.c2, name="外人")
    worker_area = make_user(Role.STREET_STAFF)
    # Street staff see their whole street: use a person of another street's scope instead.
    Person.objects.filter(pk=other_street.pk).update(community=org.district)
    with pytest.raises(HistoryRowsRefused) as refused:
        run(worker_area, program("only-child-parents"), sheet(line(other_street)))
    assert "本辖区没有此身份证号码的居民" in "\n".join(refused.value.problems)


def test_a_file_that_is_no_workbook_or_lacks_columns_is_refused() -> None:
    with pytest.raises(JishengError) as not_xlsx:
        read_history_file(io.BytesIO(b"id,name\n1,2\n"))
    assert not_xlsx.value.code == "not_xlsx"
    with pytest.raises(JishengError) as broken:
        read_history_file(io.BytesIO(b"PK\x03\x04broken"))
    assert broken.value.code == "unreadable_file"
    with pytest.raises(JishengError) as columns:
        read_history_file(workbook([("姓名", "金额（元）")]))
    assert columns.value.code == "missing_columns"
    assert "身份证号码" in str(columns.value.message)
    with pytest.raises(JishengError) as empty:
        read_history_file(workbook([TEMPLATE_HEADER]))
    assert empty.value.code == "empty_file"


def test_the_page_imports_a_workbook_and_shows_bad_rows_again(
    street, program, couples, client_for
) -> None:
    client = client_for(street)
    empty = client.get("/benefits/batches/").content.decode()
    assert '<td colspan="7" class="empty">暂无批次。</td>' in empty
    only_child = program("only-child-parents")
    bad = workbook(sheet(line(couples[0], "-5")))
    bad.name = "bad.xlsx"
    page = client.post(
        "/benefits/batches/history/", {"program": only_child.pk, "period": "2013", "file": bad}
    )
    assert page.status_code == 400
    assert "第 2 行：金额须大于 0" in page.content.decode()
    good = workbook(sheet(line(couples[0]), line(couples[1])))
    good.name = "2013年独生子女.xlsx"
    page = client.post(
        "/benefits/batches/history/", {"program": only_child.pk, "period": "2013", "file": good}
    )
    batch = PaymentBatch.objects.get()
    assert page.status_code == 302
    assert page["Location"] == f"/benefits/batches/{batch.pk}/"
    assert batch.import_file_name == "2013年独生子女.xlsx"
    detail = client.get(page["Location"]).content.decode()
    assert 'data-testid="batch-history"' in detail
    listed = client.get("/benefits/batches/").content.decode()
    row = listed.split(f'href="/benefits/batches/{batch.pk}/"')[1].split("</tr>")[0]
    assert '<span class="badge">历史导入</span>' in row
    assert client.get("/benefits/batches/history/template/").status_code == 200


def test_the_page_is_for_the_street_office_only(make_user, client_for) -> None:
    for role in (Role.COMMUNITY_WORKER, Role.LEADER, Role.DISTRICT_SUPERVISOR):
        client = client_for(make_user(role))
        assert client.get("/benefits/batches/history/").status_code == 403, role
        assert client.get("/benefits/batches/history/template/").status_code == 403, role


def test_the_api_imports_and_lists_the_bad_rows(street, program, couples, client_for) -> None:
    client = client_for(street)
    bad = workbook(sheet(line(couples[0], "1.005")))
    bad.name = "bad.xlsx"
    answer = client.post(
        "/api/benefits/batches/history",
        {"program": "only-child-parents", "period": "2013", "file": bad},
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["rows"] == ["第 2 行：金额超过两位小数。"]
    good = workbook(sheet(line(couples[0])))
    good.name = "good.xlsx"
    answer = client.post(
        "/api/benefits/batches/history",
        {"program": "only-child-parents", "period": "2013", "file": good},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["state"] == "approved"
    assert answer.json()["total"] == "120.00"
    assert program("only-child-parents").status == Program.Status.OPEN


def test_a_file_of_many_bad_rows_lists_the_first_two_hundred(street, program) -> None:
    cells = sheet(*(("", f"某{n}", "120", "2013-01-01") for n in range(250)))
    with pytest.raises(HistoryRowsRefused) as refused:
        run(street, program("only-child-parents"), cells)
    assert len(refused.value.row_problems) == 250
    problems = refused.value.problems
    assert len(problems) == 1 + 200 + 1
    assert problems[-1] == "……另有 50 行存在问题。"
