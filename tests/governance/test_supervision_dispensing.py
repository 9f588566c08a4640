"""Abortion-drug dispensing: the real-name register, its review list and the monthly import."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from conftest import valid_id_number
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.roles import Role
from jisheng.governance.models import Dispensing, DispensingImport, OutletKind
from jisheng.governance.selectors import supervision as selectors
from jisheng.governance.services import dispensing_import as importing
from jisheng.governance.services import supervision as services
from jisheng.prepregnancy.models import TargetCouple
from jisheng.prepregnancy.services import couples, pregnancies
from jisheng.registry.services import events

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(make_user) -> Actor:
    return Actor(user=make_user(Role.STREET_STAFF))


@pytest.fixture
def outlet(staff, org):
    return services.outlet_register(
        actor=staff, unit=org.c1, kind=OutletKind.PHARMACY, name="仁和大药房"
    )


def _record(staff, outlet, *, id_number: str, day: dt.date, prescription: str = "RX-1"):
    return services.dispensing_record(
        actor=staff,
        outlet_id=outlet.pk,
        dispensed_on=day,
        drug="米非司酮片",
        quantity=1,
        buyer_name="王芳",
        buyer_id_number=id_number,
        prescriber="李医生" if prescription else "",
        prescription_ref=prescription,
    )


@pytest.fixture
def pregnant_wife(org, make_user, make_person):
    """A registered woman of community 1 whose open pregnancy began 16 weeks ago."""
    today = timezone.localdate()
    worker = Actor(user=make_user(Role.COMMUNITY_WORKER))
    wife = make_person(org.c1, name="王芳", sex="F", birth_date=dt.date(1996, 4, 1))
    husband = make_person(org.c1, name="李强", sex="M", birth_date=dt.date(1994, 6, 1))
    registrar = Actor(user=make_user(Role.STREET_STAFF))
    events.marriage_record(actor=registrar, husband=husband, wife=wife, date=today - 10 * DAY)
    couples.target_couples_refresh(actor=worker)
    couple = TargetCouple.objects.get(wife=wife)
    pregnancies.pregnancy_report(
        actor=worker, couple=couple, reported_on=today - 60 * DAY, last_period=today - 112 * DAY
    )
    return wife


def test_a_dispensing_stores_the_id_number_encrypted_and_masked(staff, outlet) -> None:
    number = valid_id_number(dt.date(1995, 3, 3), "F")
    dispensing = _record(staff, outlet, id_number=number, day=timezone.localdate())
    stored = Dispensing.objects.get(pk=dispensing.pk)
    assert stored.buyer_id_number == number
    assert stored.buyer_id_masked != number
    assert stored.buyer_id_masked.endswith(number[-4:])
    assert stored.buyer_id_index == services.id_digest(number)


def test_the_same_dispensing_sent_twice_is_one_line(staff, outlet) -> None:
    number = valid_id_number(dt.date(1995, 3, 3), "F")
    first = _record(staff, outlet, id_number=number, day=timezone.localdate())
    again = _record(staff, outlet, id_number=number, day=timezone.localdate())
    assert first.pk == again.pk
    assert Dispensing.objects.count() == 1


def test_a_bad_id_number_is_refused(staff, outlet) -> None:
    with pytest.raises(JishengError):
        _record(staff, outlet, id_number="123", day=timezone.localdate())
    assert not Dispensing.objects.exists()


def test_review_list_holds_no_prescription_and_pregnant_buyers_only(
    staff, outlet, pregnant_wife
) -> None:
    today = timezone.localdate()
    other = valid_id_number(dt.date(1990, 1, 1), "F")
    fine = _record(staff, outlet, id_number=other, day=today)
    unprescribed = _record(staff, outlet, id_number=other, day=today - DAY, prescription="")
    pregnant = _record(staff, outlet, id_number=pregnant_wife.id_number, day=today)
    # Eight weeks into the pregnancy: under 14 weeks, not on the list for that reason.
    early = _record(
        staff, outlet, id_number=pregnant_wife.id_number, day=today - 56 * DAY, prescription="RX-2"
    )
    assert pregnant.buyer_id == pregnant_wife.pk
    entries = {entry.dispensing.pk: entry.reasons for entry in selectors.review_list(staff.user)}
    assert set(entries) == {unprescribed.pk, pregnant.pk}
    assert fine.pk not in entries
    assert early.pk not in entries
    assert entries[unprescribed.pk] == [str(selectors.NO_PRESCRIPTION)]
    assert entries[pregnant.pk] == [str(selectors.PREGNANT)]


def _workbook(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(importing.TEMPLATE_HEADER))
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    return handle


def _read(rows: list[list[object]], directory: Path) -> list[importing.Row]:
    """The rows as the import reads them from a saved workbook."""
    path = directory / "list.xlsx"
    path.write_bytes(_workbook(rows).getvalue())
    return importing.read_table(path, path.name)


def test_an_import_records_every_row_and_again_returns_the_first_import(
    staff, outlet, tmp_path
) -> None:
    day = timezone.localdate() - 3 * DAY
    a, b = valid_id_number(dt.date(1991, 1, 1), "F"), valid_id_number(dt.date(1992, 2, 2), "F")
    rows = [
        [day, "米非司酮片", 1, "甲", a, "李医生", "RX-10"],
        [day.isoformat(), "米索前列醇片", "2", "乙", b, "", ""],
    ]
    batch = importing.dispensing_import(
        actor=staff,
        outlet_id=outlet.pk,
        rows=_read(rows, tmp_path),
        file_name="11月.xlsx",
    )
    assert batch.rows == 2
    assert Dispensing.objects.filter(source=batch).count() == 2
    again = importing.dispensing_import(
        actor=staff,
        outlet_id=outlet.pk,
        rows=_read(list(reversed(rows)), tmp_path),
        file_name="again.xlsx",
    )
    assert again.pk == batch.pk
    assert Dispensing.objects.count() == 2
    assert DispensingImport.objects.count() == 1


def test_a_bad_import_changes_nothing_and_lists_every_bad_row(staff, outlet, tmp_path) -> None:
    day = timezone.localdate() - 3 * DAY
    good = valid_id_number(dt.date(1991, 1, 1), "F")
    rows = [
        [day, "米非司酮片", 1, "甲", good, "李医生", "RX-10"],
        [day, "米非司酮片", 1, "乙", "110101199001011234", "", ""],  # bad check digit
        ["昨天", "米非司酮片", 1, "丙", good, "", "RX-11"],  # not a date
        [day, "", "两盒", "", good, "", "RX-12"],  # no drug, quantity, buyer
        [day, "米非司酮片", 1, "甲", good, "李医生", "RX-10"],  # row 2 again
    ]
    with pytest.raises(importing.DispensingRowsRefused) as refused:
        importing.dispensing_import(
            actor=staff,
            outlet_id=outlet.pk,
            rows=_read(rows, tmp_path),
            file_name="bad.xlsx",
        )
    problems = refused.value.row_problems
    assert [problem.split("：")[0] for problem in problems] == [
        "第 3 行",
        "第 4 行",
        "第 5 行",
        "第 6 行",
    ]
    assert not Dispensing.objects.exists()
    assert not DispensingImport.objects.exists()


def test_the_import_page_shows_the_bad_rows_with_status_400(staff, outlet, client_for) -> None:
    client = client_for(staff.user)
    rows = [[timezone.localdate(), "米非司酮片", 1, "乙", "110101199001011234", "", ""]]
    upload = _workbook(rows)
    upload.name = "bad.xlsx"
    response = client.post(
        reverse("governance:dispensing_upload", args=[outlet.pk]), {"file": upload}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "未导入任何记录" in text
    assert "第 2 行" in text
    assert not Dispensing.objects.exists()


def test_a_community_worker_cannot_open_the_register(make_user, client_for, outlet) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    assert client.get(reverse("governance:outlet_detail", args=[outlet.pk])).status_code == 403
    assert client.get("/api/governance/dispensings").status_code == 403


def test_the_review_page_is_chinese_and_printable(staff, outlet, client_for) -> None:
    _record(
        staff,
        outlet,
        id_number=valid_id_number(dt.date(1990, 1, 1), "F"),
        day=timezone.localdate(),
        prescription="",
    )
    response = client_for(staff.user).get(reverse("governance:dispensing_review"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "需核查的售药记录" in text
    assert "无处方售药" in text
    assert "打印" in text
