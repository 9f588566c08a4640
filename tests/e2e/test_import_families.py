"""A family file in a real browser: a community worker uploads a household whose son names a
mother nobody knows, reads the explanation, fixes the row and imports the family.

The family view of a resident is another page (not covered here): this stops at the import's
result. Expected texts are whatever the compiled zh-hans catalogue says.
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
from playwright.sync_api import Page

from jisheng.core.idnumber import id_number_check_digit
from jisheng.registry.imports.files import TEMPLATE_HEADERS
from jisheng.registry.models import Household, Marriage, ParentLink, Person

pytestmark = pytest.mark.browser


def id_for(birth: dt.date, sequence: int, *, male: bool) -> str:
    body = f"370404{birth:%Y%m%d}{sequence * 2 + (1 if male else 0):03d}"
    return body + id_number_check_digit(body)


HUSBAND = id_for(dt.date(1968, 3, 9), 391, male=True)
WIFE = id_for(dt.date(1970, 7, 21), 392, male=False)
SON = id_for(dt.date(1995, 2, 14), 393, male=True)
NOBODY = id_for(dt.date(1971, 1, 2), 394, male=False)


def family(mother_of_son: str) -> list[list[str]]:
    """Household 榴-0391, rows out of order: the wife, the son, then the head."""

    def person(name: str, sex: str, id_number: str) -> list[str]:
        birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
        return [
            name,
            sex,
            birth,
            id_number,
            "",
            "汉族",
            "城镇",
            "370404",
            "否",
            "榴园社区9号楼",
            "已婚",
            "",
        ]

    return [
        [*person("孙丽华", "女", WIFE), "榴-0391", "配偶", HUSBAND, "", "", "1993-05-01", "1"],
        [*person("周晓东", "男", SON), "榴-0391", "子", "", HUSBAND, mother_of_son, "", ""],
        [*person("周国强", "男", HUSBAND), "榴-0391", "户主", WIFE, "", "", "", "1"],
    ]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def upload(page: Page, path: Path) -> str:
    page.goto(reverse("registry:person_import_new"))
    page.set_input_files("[data-testid=import-form] input[name=file]", str(path))
    with page.expect_navigation():
        page.click("[data-testid=import-form] button[type=submit]")
    assert urlsplit(page.url).path.startswith("/registry/persons/import/")
    return page.locator("[data-testid=import-result]").get_attribute("data-state") or ""


def test_worker_fixes_a_family_row_and_imports_the_household(
    page: Page, demo: Any, login: Callable[..., None], tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    people = Person.objects.count()
    login(page, "demo_c1")

    assert upload(page, write_csv(tmp_path / "家庭.csv", family(NOBODY))) == "invalid"

    with translation.override("zh-hans"):
        expected = translation.gettext(
            "%(column)s names nobody in this file or in the registry."
        ) % {"column": "母亲身份证号"}
    listed = {
        tr.get_attribute("data-row") or "": tr.locator("li").all_text_contents()
        for tr in page.locator("[data-testid=bad-rows] tbody tr").all()
    }
    assert listed == {"3": [expected]}
    assert Person.objects.count() == people
    assert not Household.objects.filter(number="榴-0391").exists()

    assert upload(page, write_csv(tmp_path / "家庭-改.csv", family(WIFE))) == "done"

    message = page.text_content("[data-testid=import-message]") or ""
    assert "导入 3 人" in message, message
    assert "亲子关系：2" in message, message
    household = Household.objects.get(number="榴-0391")
    assert household.head.id_number == HUSBAND
    assert sorted(household.members.values_list("relation", flat=True)) == ["02", "10", "20"]
    marriage = Marriage.objects.get(husband=household.head)
    assert (marriage.wife.id_number, marriage.date) == (WIFE, dt.date(1993, 5, 1))
    son = Person.objects.get(memberships__household=household, memberships__relation="20")
    assert {link.parent.id_number for link in ParentLink.objects.filter(child=son)} == {
        HUSBAND,
        WIFE,
    }
