"""Issue 14's acceptance: a street imports its families from the sheets it keeps (rows out
of order, some parents registered before), enters on the page one child who lives elsewhere,
and then "find eligible" and the pre-pregnancy couple finder see exactly the families the
office would name by hand."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse

from jisheng.benefits import selectors
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.prepregnancy.models import TargetCouple
from jisheng.prepregnancy.services.couples import target_couples_refresh
from jisheng.registry.imports import files
from jisheng.registry.imports import services as imports
from jisheng.registry.models import Person, PersonImport
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData, id_number_digest
from support.import_files import csv_bytes, id_number, resident_row, upload

TODAY = dt.date(2026, 11, 1)
RURAL = {"户口性质": "农村"}
URBAN = {"户口性质": "城镇"}

# Residents of support.import_files by index: even a man, odd a woman, born 1950-01-01 plus
# 37 days × index. So 50/51 were born in 1955, 376/379 in 1988, 474/477 in 1998; the two
# children of ten and thirteen get their own birth dates (and ID numbers that match them).
OLD_RURAL_FATHER, OLD_RURAL_MOTHER, THEIR_SON = 50, 51, 316  # parents registered before
# The two sons are born 222 days apart: the import refuses a mother's births days apart.
TWO_SONS_FATHER, TWO_SONS_MOTHER, FIRST_SON, SECOND_SON = 54, 57, 318, 324
ONLY_CHILD_FATHER, ONLY_CHILD_MOTHER, ONLY_CHILD = 376, 379, 500
ELSEWHERE_FATHER, ELSEWHERE_MOTHER, RESIDENT_CHILD = 384, 385, 502  # + one child elsewhere
NEWLY_WED_HUSBAND, NEWLY_WED_WIFE = 474, 477


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


CHILD_BIRTHS = {ONLY_CHILD: dt.date(2016, 3, 9), RESIDENT_CHILD: dt.date(2013, 8, 1)}


def born(index: int) -> dict[str, str]:
    """The cells that give resident ``index`` its own birth date, if it has one here."""
    birth = CHILD_BIRTHS.get(index)
    if birth is None:
        return {}
    number = id_number(birth, 400 + index % 50, male=index % 2 == 0)
    return {"出生日期": birth.isoformat(), "身份证号码": number}


def id_of(index: int) -> str:
    return resident_row(index, **born(index))[3]


def row(
    index: int,
    household: str,
    relation: str,
    *,
    spouse: str = "",
    father: str = "",
    mother: str = "",
    married: str = "",
    **cells: str,
) -> list[str]:
    """Resident ``index`` with the family columns; ``cells`` change other columns by header."""
    if spouse:
        cells.setdefault("婚姻状况", "已婚")
    return [
        *resident_row(index, **born(index), **cells),
        household,
        relation,
        spouse,
        father,
        mother,
        married,
        "",
    ]


def family_sheet() -> list[list[str]]:
    rows = [
        # The son of a rural couple registered before the import: they are not in the file.
        row(
            THEIR_SON, "H1", "户主", father=id_of(OLD_RURAL_FATHER), mother=id_of(OLD_RURAL_MOTHER)
        ),
        # A rural couple with two sons: not 奖扶.
        row(
            TWO_SONS_FATHER,
            "H2",
            "户主",
            spouse=id_of(TWO_SONS_MOTHER),
            married="1978-03-01",
            **RURAL,
        ),
        row(
            TWO_SONS_MOTHER,
            "H2",
            "配偶",
            spouse=id_of(TWO_SONS_FATHER),
            married="1978-03-01",
            **RURAL,
        ),
        row(FIRST_SON, "H2", "子", father=id_of(TWO_SONS_FATHER), mother=id_of(TWO_SONS_MOTHER)),
        row(SECOND_SON, "H2", "子", father=id_of(TWO_SONS_FATHER), mother=id_of(TWO_SONS_MOTHER)),
        # An urban couple with one child of ten: 独生子女父母奖励, once for the couple.
        row(
            ONLY_CHILD_FATHER,
            "H3",
            "户主",
            spouse=id_of(ONLY_CHILD_MOTHER),
            married="2014-05-01",
            **URBAN,
        ),
        row(
            ONLY_CHILD_MOTHER,
            "H3",
            "配偶",
            spouse=id_of(ONLY_CHILD_FATHER),
            married="2014-05-01",
            **URBAN,
        ),
        row(
            ONLY_CHILD, "H3", "子", father=id_of(ONLY_CHILD_FATHER), mother=id_of(ONLY_CHILD_MOTHER)
        ),
        # One child here, one elsewhere (entered on the page after the import): not one child.
        row(
            ELSEWHERE_FATHER,
            "H4",
            "户主",
            spouse=id_of(ELSEWHERE_MOTHER),
            married="2012-01-01",
            **URBAN,
        ),
        row(
            ELSEWHERE_MOTHER,
            "H4",
            "配偶",
            spouse=id_of(ELSEWHERE_FATHER),
            married="2012-01-01",
            **URBAN,
        ),
        row(
            RESIDENT_CHILD,
            "H4",
            "子",
            father=id_of(ELSEWHERE_FATHER),
            mother=id_of(ELSEWHERE_MOTHER),
        ),
        # Married this year, no children yet: a pre-pregnancy target couple.
        row(NEWLY_WED_HUSBAND, "H5", "户主", spouse=id_of(NEWLY_WED_WIFE), married="2026-06-01"),
        row(NEWLY_WED_WIFE, "H5", "配偶", spouse=id_of(NEWLY_WED_HUSBAND), married="2026-06-01"),
    ]
    random.Random(14).shuffle(rows)  # the sheet is in no particular order
    return rows


def person(index: int) -> Person:
    return Person.objects.get(id_number_index=id_number_digest(id_of(index)))


def register_before(actor: Actor, community, index: int) -> Person:
    cells = resident_row(index)
    data = PersonData(
        name=cells[0],
        sex="M" if cells[1] == "男" else "F",
        birth_date=dt.date.fromisoformat(cells[2]),
        id_number=cells[3],
        hukou_type="rural",
        marital_status="20",
    )
    return events.registration_record(
        actor=actor, community=community, data=data, date=dt.date(2020, 1, 1)
    ).person


def eligible(user, program, code: str) -> set[int]:
    found = selectors.eligible_persons(user=user, program=program(code), as_of=TODAY)
    return set(found.values_list("pk", flat=True))


def test_an_imported_family_sheet_finds_the_expected_parents_and_couples(
    org, make_user, client_for, program
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, unit=org.c1)
    actor = Actor(user=worker, ip="10.1.2.3")
    old_father = register_before(actor, org.c1, OLD_RURAL_FATHER)
    old_mother = register_before(actor, org.c1, OLD_RURAL_MOTHER)
    events.marriage_record(
        actor=actor, husband=old_father, wife=old_mother, date=dt.date(1979, 1, 1)
    )

    done = imports.person_import_start(
        actor=actor, upload=upload(csv_bytes(family_sheet(), header=files.TEMPLATE_HEADERS))
    )
    assert done.state == PersonImport.State.DONE, (done.message, done.error_rows)

    # Before the child elsewhere is known, the H4 couple looks like an only-child family.
    only_child = eligible(worker, program, "only-child-parents")
    assert len(only_child) == 2
    assert only_child <= {
        person(i).pk
        for i in (ONLY_CHILD_FATHER, ONLY_CHILD_MOTHER, ELSEWHERE_FATHER, ELSEWHERE_MOTHER)
    }

    page = client_for(worker).post(
        reverse("registry:family_non_resident_child", args=[person(ELSEWHERE_MOTHER).pk]),
        {
            "evidence": "户口簿",
            "reason": "补录在外地生活的子女",
            "date": "2026-10-20",
            "name": "刘晓雨",
            "sex": "F",
            "birth_date": "2013-04-02",
            "lives_in": "上海市浦东新区",
            "death_date": "",
            "disability_grade": "",
            "with_spouse": "on",
        },
    )
    assert page.status_code == 302, page.content.decode()

    # One payment unit per couple: the H3 couple, listed once; the H4 couple no longer.
    only_child = eligible(worker, program, "only-child-parents")
    assert len(only_child) == 1
    assert only_child <= {person(ONLY_CHILD_FATHER).pk, person(ONLY_CHILD_MOTHER).pk}
    # 奖扶 is paid per person: both parents of the one son, not the parents of two sons.
    assert eligible(worker, program, "rural-reward-support") == {old_father.pk, old_mother.pk}

    target_couples_refresh(actor=actor, today=TODAY)
    couples = set(TargetCouple.objects.values_list("husband_id", "wife_id"))
    assert couples == {(person(NEWLY_WED_HUSBAND).pk, person(NEWLY_WED_WIFE).pk)}
