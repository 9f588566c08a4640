"""Resident import in a real browser: a community worker uploads 500 rows with 3 bad ones,
sees each explained, fixes them, imports the file, and imports it again to no effect.

Elements are found by ``data-testid`` and data attributes; the expected explanations are
whatever the compiled zh-hans catalogue says for the messages concerned.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import Page

from jisheng.core.idnumber import id_number_check_digit
from jisheng.registry.imports import files
from jisheng.registry.imports.files import PERSON_HEADERS
from jisheng.registry.models import LifeEvent, Person, PersonImport
from jisheng.registry.services.persons import person_data_check

pytestmark = pytest.mark.browser

ROWS = 500
BAD = {12: "id-as-number", 202: "sex", 452: "duplicate"}  # Excel row numbers


def row(index: int) -> list[str]:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=index * 37)
    male = index % 2 == 0
    body = f"370404{birth:%Y%m%d}{1 if male else 0:03d}"
    return [
        "赵钱孙李周吴郑王"[index % 8] + "建国秀英海燕志强"[index % 4 * 2 : index % 4 * 2 + 2],
        "男" if male else "女",
        birth.isoformat(),
        body + id_number_check_digit(body),
        f"139{index:08d}",
        "汉族",
        "城镇",
        "370404",
        "否",
        f"榴园社区{index % 30 + 1}号楼",
        "已婚",
        "",
    ]


def file_rows(*, broken: bool) -> list[list[str]]:
    rows = [row(i) for i in range(ROWS)]
    if broken:
        rows[12 - 2][3] = "3.70404E+17"  # what Excel shows for a number it has rounded
        rows[202 - 2][1] = "男女"
        rows[452 - 2][1:4] = rows[7 - 2][1:4]  # row 7's person again, under another name
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(PERSON_HEADERS)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def expected_problems(rows: list[list[str]]) -> dict[str, list[str]]:
    with translation.override("zh-hans"):
        columns = files.match_header(PERSON_HEADERS)
        parsed = files.parse_row(202, rows[202 - 2], columns)
        return {
            "12": [str(files.ID_AS_NUMBER)],
            "202": person_data_check(parsed.data),
            "452": [translation.gettext("The same ID number is also in row %(row)s.") % {"row": 7}],
        }


def upload(page: Page, path: Path) -> dict[str, str]:
    page.goto(reverse("registry:person_import_new"))
    page.set_input_files("[data-testid=import-form] input[name=file]", str(path))
    with page.expect_navigation():
        page.click("[data-testid=import-form] button[type=submit]")
    assert urlsplit(page.url).path.startswith("/registry/persons/import/")
    result = page.locator("[data-testid=import-result]")
    counts = {
        key: page.text_content(f"[data-testid=import-counts] [data-count={key}]") or ""
        for key in ("total", "created", "unchanged", "errors")
    }
    return {"state": result.get_attribute("data-state") or "", **counts}


def test_worker_imports_a_file_after_fixing_the_rows_it_explains(
    page: Page, demo: Any, login: Callable[..., None], tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    before = Person.objects.filter(community=demo.c1).count()
    broken = file_rows(broken=True)
    login(page, "demo_c1")

    page.goto(reverse("registry:person_import_new"))
    with page.expect_download() as template:
        page.click("[data-testid=template]")
    assert template.value.suggested_filename.endswith(".xlsx")

    refused = upload(page, write_csv(tmp_path / "居民.csv", broken))

    assert refused == {
        "state": "invalid",
        "total": "500",
        "created": "0",
        "unchanged": "0",
        "errors": "3",
    }
    listed = {
        tr.get_attribute("data-row") or "": tr.locator("li").all_text_contents()
        for tr in page.locator("[data-testid=bad-rows] tbody tr").all()
    }
    assert listed == expected_problems(broken)
    assert Person.objects.filter(community=demo.c1).count() == before  # nothing at all
    with page.expect_download() as bad_rows:
        page.click("[data-testid=bad-rows-download]")
    sheet = load_workbook(io.BytesIO(bad_rows.value.path().read_bytes())).worksheets[0]
    assert sheet.max_row == 4
    assert sheet.cell(row=1, column=len(PERSON_HEADERS) + 1).value == "错误说明"

    fixed = write_csv(tmp_path / "居民-改.csv", file_rows(broken=False))
    done = upload(page, fixed)

    assert done == {
        "state": "done",
        "total": "500",
        "created": "500",
        "unchanged": "0",
        "errors": "0",
    }
    assert Person.objects.filter(community=demo.c1).count() == before + ROWS
    events = LifeEvent.objects.count()

    # The same file sent again within half an hour is taken for a second click: nothing runs,
    # and the page leads to the import already made.
    page.goto(reverse("registry:person_import_new"))
    page.set_input_files("[data-testid=import-form] input[name=file]", str(fixed))
    with page.expect_navigation():
        page.click("[data-testid=import-form] button[type=submit]")
    assert page.is_visible("[data-testid=sent-again]")
    assert PersonImport.objects.count() == 2

    # The rows sorted another way are another file: it runs, and changes nothing.
    resorted = write_csv(tmp_path / "居民-重排.csv", list(reversed(file_rows(broken=False))))
    again = upload(page, resorted)

    assert again == {
        "state": "done",
        "total": "500",
        "created": "0",
        "unchanged": "500",
        "errors": "0",
    }
    assert Person.objects.filter(community=demo.c1).count() == before + ROWS
    assert LifeEvent.objects.count() == events
    assert list(PersonImport.objects.order_by("pk").values_list("state", flat=True)) == [
        "invalid",
        "done",
        "done",
    ]
