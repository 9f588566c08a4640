"""The dispensing and hospital-list imports read .xlsx and .csv through the registry's reader,
and each import page offers its template (Chinese header, one example line)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from conftest import valid_id_number
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.governance.models import Dispensing, DispensingImport, OutletKind, Termination
from jisheng.governance.services import dispensing_import as importing
from jisheng.governance.services import supervision as services
from jisheng.governance.services import terminations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def staff(make_user) -> Actor:
    return Actor(user=make_user(Role.STREET_STAFF))


@pytest.fixture
def outlet(staff, org):
    return services.outlet_register(
        actor=staff, unit=org.c1, kind=OutletKind.PHARMACY, name="仁和大药房"
    )


def _csv(lines: list[str], *, encoding: str = "utf-8") -> SimpleUploadedFile:
    text = ",".join(importing.TEMPLATE_HEADER) + "\n" + "\n".join(lines) + "\n"
    return SimpleUploadedFile("十一月.csv", text.encode(encoding), content_type="text/csv")


def _sheet(response) -> list[tuple[object, ...]]:
    body = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(body), read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_a_csv_list_in_gbk_is_imported_whole(staff, outlet, client_for) -> None:
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    buyer = valid_id_number(dt.date(1991, 1, 1), "F")
    upload = _csv(
        [f"{day},米非司酮片,1,甲,{buyer},李医生,RX-10", f"{day},米索前列醇片,2,乙,{buyer},,"],
        encoding="gbk",
    )
    url = reverse("governance:dispensing_upload", args=[outlet.pk])
    response = client_for(staff.user).post(url, {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    drugs = sorted(Dispensing.objects.values_list("drug", flat=True))
    assert drugs == ["米索前列醇片", "米非司酮片"]


def test_a_bad_csv_changes_nothing_names_every_bad_row_and_keeps_the_form(
    staff, outlet, client_for
) -> None:
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    buyer = valid_id_number(dt.date(1991, 1, 1), "F")
    upload = _csv(
        [
            f"{day},米非司酮片,1,甲,{buyer},李医生,RX-10",
            f"{day},米非司酮片,两盒,乙,{buyer},,RX-11",
            f"昨天,米非司酮片,1,丙,{buyer},,RX-12",
        ]
    )
    url = reverse("governance:dispensing_upload", args=[outlet.pk])
    response = client_for(staff.user).post(url, {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 3 行" in page
    assert "第 4 行" in page
    assert "第 2 行" not in page
    assert 'data-testid="template-download"' in page
    assert not Dispensing.objects.exists()
    assert not DispensingImport.objects.exists()


def test_a_file_that_is_no_list_is_refused_on_the_form(staff, outlet, client_for) -> None:
    url = reverse("governance:dispensing_upload", args=[outlet.pk])
    client = client_for(staff.user)
    wrong_header = SimpleUploadedFile(
        "x.csv",
        "姓名,金额\n甲,1\n".encode(),
        content_type="text/csv",
    )
    response = client.post(url, {"file": wrong_header})
    assert response.status_code == 400
    assert "缺少" in response.content.decode()
    old_excel = SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    response = client.post(url, {"file": old_excel})
    assert response.status_code == 400
    assert ".xls" in response.content.decode()
    assert not DispensingImport.objects.exists()


def test_the_dispensing_template_has_the_chinese_header_and_imports_as_it_is(
    staff, outlet, client_for
) -> None:
    client = client_for(staff.user)
    page = client.get(reverse("governance:dispensing_upload", args=[outlet.pk]))
    template_url = reverse("governance:dispensing_template")
    assert template_url in page.content.decode()
    response = client.get(template_url)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = _sheet(response)
    assert rows[0] == ("日期", "药品", "数量", "购药人", "身份证号码", "处方医师", "处方编号")
    assert len(rows) == 2
    # The template is a valid list: the example line is imported as it stands.
    body = b"".join(client.get(template_url).streaming_content)
    upload = SimpleUploadedFile("模板.xlsx", body, content_type=XLSX)
    done = client.post(reverse("governance:dispensing_upload", args=[outlet.pk]), {"file": upload})
    assert done.status_code == 302
    assert Dispensing.objects.get().prescription_ref == rows[1][6]


def test_the_hospital_list_template_has_the_header_the_import_reads(
    staff, woman, client_for
) -> None:
    client = client_for(staff.user)
    page = client.get(reverse("governance:termination_import"))
    template_url = reverse("governance:termination_template")
    assert template_url in page.content.decode()
    rows = _sheet(client.get(template_url))
    assert rows[0] == terminations.TEMPLATE_HEADER
    assert len(rows) == 2
    # The template filled with a resident of the area imports.
    her = woman()
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    sheet.append([her.id_number, her.name, timezone.localdate(), 16, "", "T-1"])
    handle = io.BytesIO()
    book.save(handle)
    upload = SimpleUploadedFile("名单.xlsx", handle.getvalue(), content_type=XLSX)
    response = client.post(
        reverse("governance:termination_import"), {"institution": "区人民医院", "file": upload}
    )
    assert response.status_code == 302
    assert Termination.objects.get().certificate == "T-1"


def test_only_who_manages_dispensings_downloads_their_template(make_user, client_for) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    assert client.get(reverse("governance:dispensing_template")).status_code == 403
