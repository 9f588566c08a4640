"""Families in the import: 户号, 与户主关系 and the spouse/parent ID columns become households,
members, marriages and parent links, resolved across the file and against the registry.

Every contradiction is a row error that leaves the database as it was; importing the same
file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import translation
from openpyxl import load_workbook

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.imports import families, files, limits
from jisheng.registry.imports import services as imports
from jisheng.registry.models import (
    Household,
    HouseholdMember,
    LifeEvent,
    Marriage,
    ParentLink,
    Person,
    PersonImport,
)
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData, id_number_digest
from support.import_files import csv_bytes, id_number, resident_row, upload

State = PersonImport.State
HEADER = files.TEMPLATE_HEADERS
TODAY = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def worker(make_user) -> Actor:
    return Actor(user=make_user(Role.COMMUNITY_WORKER), ip="10.1.2.3")


def id_of(index: int) -> str:
    return resident_row(index)[3]


def row(
    index: int,
    household: str = "",
    relation: str = "",
    *,
    spouse: str = "",
    father: str = "",
    mother: str = "",
    married: str = "",
    children: str = "",
) -> list[str]:
    """Resident ``index`` of support.import_files (even: a man; born 1950 + 37 days × index)
    with the family columns."""
    return [*resident_row(index), household, relation, spouse, father, mother, married, children]


def run(actor: Actor, rows: list[list[str]]) -> PersonImport:
    return imports.person_import_start(actor=actor, upload=upload(csv_bytes(rows, header=HEADER)))


def problems_of(person_import: PersonImport) -> dict[int, list[str]]:
    return {entry["row"]: entry["problems"] for entry in person_import.error_rows}


def registered(actor: Actor, community, index: int) -> Person:
    """Resident ``index`` entered through the registry, before any import."""
    cells = resident_row(index)
    data = PersonData(
        name=cells[0],
        sex="M" if cells[1] == "男" else "F",
        birth_date=dt.date.fromisoformat(cells[2]),
        id_number=cells[3],
    )
    return events.registration_record(
        actor=actor, community=community, data=data, date=TODAY
    ).person


def person(index: int) -> Person:
    return Person.objects.get(id_number_index=id_number_digest(id_of(index)))


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Person, LifeEvent, Household, HouseholdMember, Marriage, ParentLink)
    )


def family_file() -> list[list[str]]:
    """Household H2 (rows out of order: the wife, the son, then the head, whose parents are
    registered already) and the one-person household H3."""
    return [
        row(205, "H2", "配偶", spouse=id_of(200), married="1995-10-01"),
        row(400, "H2", "子", father=id_of(200), mother=id_of(205)),
        row(200, "H2", "户主", spouse=id_of(205), father=id_of(0), mother=id_of(1), children="1"),
        row(2, "H3", "02"),
    ]


def test_a_family_file_becomes_households_marriages_and_parent_links(org, worker) -> None:
    grandfather, grandmother = registered(worker, org.c1, 0), registered(worker, org.c1, 1)

    done = run(worker, family_file())

    assert done.state == State.DONE, (done.message, done.error_rows)
    assert done.created_count == 4
    head, wife, son, single = person(200), person(205), person(400), person(2)
    h2 = Household.objects.get(number="H2")
    assert (h2.head, h2.community) == (head, org.c1)
    assert {(m.person, m.relation) for m in h2.members.filter(end_date__isnull=True)} == {
        (head, "02"),
        (wife, "10"),
        (son, "20"),
    }
    assert Household.objects.get(number="H3").head == single
    marriage = Marriage.objects.get()
    assert (marriage.husband, marriage.wife, marriage.date) == (head, wife, dt.date(1995, 10, 1))
    assert marriage.end_date is None
    assert {(link.parent, link.child) for link in ParentLink.objects.all()} == {
        (grandfather, head),
        (grandmother, head),
        (head, son),
        (wife, son),
    }
    assert "parent links: 4" in done.message


def test_the_same_family_file_again_changes_nothing(org, worker) -> None:
    registered(worker, org.c1, 0), registered(worker, org.c1, 1)
    first = run(worker, family_file())
    assert first.state == State.DONE, first.error_rows
    before = counts()

    again = run(worker, list(reversed(family_file())))

    assert again.state == State.DONE, again.error_rows
    assert (again.created_count, again.unchanged_count) == (0, 4)
    assert counts() == before


def test_a_family_file_is_checked_across_processes_too(
    transactional_db, org, worker, settings, monkeypatch
) -> None:
    """The same resolution when forked workers check the chunks (and, on PostgreSQL, a
    second connection loads them meanwhile: committed setup, no test transaction)."""
    settings.JISHENG_IMPORT_PARALLEL_ROWS = 1
    settings.JISHENG_IMPORT_WORKERS = 2
    monkeypatch.setattr(limits, "CHUNK_ROWS", 2)  # the family spans chunks
    registered(worker, org.c1, 0), registered(worker, org.c1, 1)

    done = run(worker, family_file())

    assert done.state == State.DONE, done.error_rows
    assert (Marriage.objects.count(), ParentLink.objects.count()) == (1, 4)
    assert Household.objects.get(number="H2").members.count() == 3

    bad = run(worker, [row(6, "H6", "户主"), row(8, "H6", "户主")])

    assert bad.state == State.INVALID
    assert not Person.objects.filter(id_number_index=id_number_digest(id_of(6))).exists()


def test_families_loaded_while_the_rest_is_resolved_go_when_a_later_row_has_errors(
    transactional_db, org, worker, settings, monkeypatch
) -> None:
    """On PostgreSQL the second connection loads the families planned so far while the rest
    are still being resolved; an error found in a later row leaves nothing of them."""
    settings.JISHENG_IMPORT_PARALLEL_ROWS = 1
    settings.JISHENG_IMPORT_WORKERS = 2
    monkeypatch.setattr(limits, "CHUNK_ROWS", 2)
    monkeypatch.setattr(families, "BATCH", 2)  # a piece of the plan every two rows
    pieces: list[families.PlanSize] = []
    load_piece = families.FamilyLoader.load

    def recorded(loader: families.FamilyLoader, plan, upto: families.PlanSize) -> None:
        pieces.append(upto)
        load_piece(loader, plan, upto)

    monkeypatch.setattr(families.FamilyLoader, "load", recorded)

    good = run(worker, [row(k, f"H{k}", "户主") for k in range(6)])

    assert good.state == State.DONE, good.error_rows
    assert (Household.objects.count(), HouseholdMember.objects.count()) == (6, 6)
    assert len(pieces) > (1 if connection.vendor == "postgresql" else 0)
    assert pieces[-1] == families.PlanSize(6, 6, 0, 0)
    before = len(pieces)

    bad = run(worker, [*(row(100 + k, f"K{k}", "户主") for k in range(6)), row(20, "K0", "户主")])

    assert bad.state == State.INVALID
    assert problems_of(bad) == {8: ["Household K0 already has a head in row 2."]}
    assert len(pieces) > (before if connection.vendor == "postgresql" else before - 1)
    assert (Household.objects.count(), HouseholdMember.objects.count()) == (6, 6)
    assert not Person.objects.filter(id_number_index=id_number_digest(id_of(100))).exists()


def married(worker: Actor, org) -> list[list[str]]:
    husband, wife = registered(worker, org.c1, 10), registered(worker, org.c1, 11)
    events.marriage_record(actor=worker, husband=husband, wife=wife, date=dt.date(1980, 1, 1))
    return [row(5, "H5", "户主", spouse=id_of(10), married="1985-01-01")]


def third_parent(worker: Actor, org) -> list[list[str]]:
    child = registered(worker, org.c1, 400)
    for index in (0, 1):
        ParentLink.objects.create(parent=registered(worker, org.c1, index), child=child)
    return [row(6), row(400, father=id_of(6))]


NOBODY = id_number(dt.date(1960, 5, 5), 7, male=True)
CONTRADICTIONS: dict[str, tuple[Callable[..., list[list[str]]], int, str]] = {
    "two heads": (
        lambda w, o: [row(2, "H9", "户主"), row(4, "H9", "户主")],
        3,
        "Household H9 already has a head in row 2.",
    ),
    "young mother": (
        lambda w, o: [row(11), row(12, mother=id_of(11))],
        3,
        "The mother is less than 14 years older than her child.",
    ),
    "own parent": (
        lambda w, o: [row(2, father=id_of(2))],
        2,
        "A person cannot be their own parent.",
    ),
    "third parent": (
        third_parent,
        3,
        "This person already has two parents in the registry: 父亲身份证号 would be a third "
        "parent.",
    ),
    "spouse married elsewhere": (
        married,
        2,
        "The spouse is already married to someone else.",
    ),
    "nobody": (
        lambda w, o: [row(200, father=NOBODY)],
        2,
        "父亲身份证号 names nobody in this file or in the registry.",
    ),
    "unknown relation": (
        lambda w, o: [row(2, "H1", "邻居的猫")],
        2,
        "Unknown relation to the head of household: “邻居的猫”.",
    ),
    "father a woman": (
        lambda w, o: [row(1), row(200, father=id_of(1))],
        3,
        "The father must be a man.",
    ),
    "fewer children declared": (
        lambda w, o: [row(2, children="0"), row(400, father=id_of(2))],
        2,
        "The declared number of children (0) is less than the 1 children this file and the "
        "registry link to this person.",
    ),
    "spouse of the head who is not the head's": (
        lambda w, o: [
            row(2, "H4", "户主"),
            row(4),
            row(5, "H4", "配偶", spouse=id_of(4), married="1990-01-01"),
        ],
        4,
        "The relation is 配偶 (spouse of the head), but 配偶身份证号 is not the head.",
    ),
    "no head": (
        lambda w, o: [row(2, "H1", "子")],
        2,
        "Household H1 has no head (户主).",
    ),
}


@pytest.mark.parametrize("case", list(CONTRADICTIONS))
def test_each_contradiction_is_a_row_error_and_nothing_changes(org, worker, case) -> None:
    build, bad_row, message = CONTRADICTIONS[case]
    rows = build(worker, org)
    rows.append(row(300, "H7", "户主"))  # a good row, not imported either
    before = counts()

    result = run(worker, rows)

    assert result.state == State.INVALID
    assert message in problems_of(result)[bad_row]
    assert counts() == before


def twin_of(index: int, sequence: int, name: str) -> list[str]:
    """A child of resident 205 born the same day as resident ``index``: own ID number, name."""
    born = dt.date.fromisoformat(resident_row(index)[2])
    number = id_number(born, sequence, male=index % 2 == 0)
    return [*resident_row(index, 姓名=name, 身份证号码=number), *[""] * 4, id_of(205), "", ""]


def test_twins_and_triplets_in_a_file_are_imported_and_again_change_nothing(org, worker) -> None:
    rows = [
        row(205),
        row(400, mother=id_of(205)),
        twin_of(400, 1, "孙二宝"),
        twin_of(400, 2, "孙三宝"),
    ]

    done = run(worker, rows)

    assert done.state == State.DONE, (done.message, done.error_rows)
    assert ParentLink.objects.filter(parent=person(205)).count() == 3
    before = counts()
    again = run(worker, rows)
    assert again.state == State.DONE, again.error_rows
    assert counts() == before


def too_close(index: int) -> str:
    born = dt.date.fromisoformat(resident_row(index)[2])
    return (
        f"The mother already has a child born on {born.isoformat()}: two births of one mother "
        "lie at least 150 days apart, unless they are on the same day (twins)."
    )


def test_children_of_one_mother_born_days_apart_in_a_file_are_a_row_error(org, worker) -> None:
    # Residents 400 and 401 are born 37 days apart; 404 is 148 days after 400, 405 185 days.
    rows = [row(205), *(row(index, mother=id_of(205)) for index in (400, 401, 404, 405))]
    before = counts()

    result = run(worker, rows)

    assert result.state == State.INVALID
    assert problems_of(result) == {4: [too_close(400)], 5: [too_close(400)]}
    assert counts() == before


def test_a_child_born_days_from_a_registered_sibling_is_a_row_error(org, worker) -> None:
    mother = registered(worker, org.c1, 205)
    ParentLink.objects.create(parent=mother, child=registered(worker, org.c1, 401))
    before = counts()

    result = run(worker, [row(400, mother=id_of(205)), row(410, mother=id_of(205))])

    assert result.state == State.INVALID
    assert problems_of(result) == {2: [too_close(401)]}
    assert counts() == before


def test_the_bad_rows_file_shows_the_family_columns(org, worker) -> None:
    result = run(worker, [row(2, "H9", "户主"), row(4, "H9", "户主")])
    out = io.BytesIO()

    imports.person_import_bad_rows(actor=worker, import_id=result.pk, destination=out)

    sheet = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert values[0] == [*HEADER, "错误说明"]
    assert values[1][len(files.PERSON_HEADERS) : len(files.PERSON_HEADERS) + 2] == ["H9", "户主"]


def test_the_template_has_the_family_columns(tmp_path) -> None:
    target = tmp_path / "template.xlsx"
    files.write_template(target)
    header = [cell.value for cell in load_workbook(target).worksheets[0][1]]
    assert header[-7:] == [
        "户号",
        "与户主关系",
        "配偶身份证号",
        "父亲身份证号",
        "母亲身份证号",
        "结婚日期",
        "子女数",
    ]
