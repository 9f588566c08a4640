"""Importing residents from a file: every row checked, all or nothing, re-import a no-op."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, NotFound
from jisheng.core.idnumber import mask_id_number
from jisheng.core.roles import Role
from jisheng.registry.imports import checking, files, limits
from jisheng.registry.imports import selectors as import_selectors
from jisheng.registry.imports import services as imports
from jisheng.registry.imports.files import PERSON_HEADERS, ImportFileError
from jisheng.registry.models import (
    DuplicateFlag,
    LifeEvent,
    Person,
    PersonImport,
    ResidentStatus,
)
from jisheng.registry.services import events
from jisheng.registry.services.persons import person_data_check
from support.import_files import (
    csv_bytes,
    id_number,
    resident_row,
    resident_rows,
    upload,
    xlsx_bytes,
)

State = PersonImport.State


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    """Each test's uploads in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def english():
    """Messages compared here are the English msgids, whatever the catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def worker(make_user) -> Actor:
    return Actor(user=make_user(Role.COMMUNITY_WORKER), ip="10.1.2.3")


@pytest.fixture
def street(make_user) -> Actor:
    return Actor(user=make_user(Role.STREET_STAFF), ip="10.1.2.4")


def start(actor: Actor, content: bytes, name: str = "居民.csv", community=None) -> PersonImport:
    return imports.person_import_start(
        actor=actor, upload=upload(content, name), community=community
    )


def problems_of(person_import: PersonImport) -> dict[int, list[str]]:
    return {entry["row"]: entry["problems"] for entry in person_import.error_rows}


def import_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / imports.IMPORT_DIR
    return sorted(root.iterdir()) if root.exists() else []


# --- a clean file ---------------------------------------------------------------------------


def test_csv_import_registers_every_row_with_events_and_one_audit_event(org, worker) -> None:
    rows = resident_rows(25)

    done = start(worker, csv_bytes(rows))

    assert done.state == State.DONE, done.message
    assert (done.total_rows, done.created_count, done.unchanged_count) == (25, 25, 0)
    assert done.error_rows == []
    persons = Person.objects.order_by("pk")
    assert persons.count() == 25
    first = persons.first()
    assert first is not None
    assert (first.name, first.community, first.status) == (rows[0][0], org.c1, "living")
    assert first.id_number == rows[0][3]  # decrypts: encrypted by the field on the way in
    assert first.id_number_masked == mask_id_number(rows[0][3])
    assert first.phone == rows[0][4]
    assert first.name_initials
    assert Person.objects.filter(id_number_index=imports_digest(rows[24][3])).exists()
    assert first.birth_date == dt.date.fromisoformat(rows[0][2])
    event = LifeEvent.objects.get(person=first)
    assert event.kind == LifeEvent.Kind.REGISTRATION
    assert event.before == {"created_person": first.pk}
    assert event.data == {"import_id": done.pk}
    assert event.recorded_by == worker.user
    assert LifeEvent.objects.count() == 25
    audit_events = AuditEvent.objects.filter(user_id=worker.user.pk)
    assert [(e.action, e.object_type, e.object_id) for e in audit_events] == [
        ("create", "registry.personimport", str(done.pk))
    ]
    detail = audit_events.get().detail
    assert detail["rows"] == detail["created"] == 25
    assert detail["unchanged"] == 0
    assert audit_events.get().ip == "10.1.2.3"


def imports_digest(number: str) -> str:
    from jisheng.registry.services.persons import id_number_digest

    return id_number_digest(number)


def test_a_registered_resident_can_be_reversed_like_one_registered_by_hand(org, worker) -> None:
    start(worker, csv_bytes(resident_rows(2)))
    event = LifeEvent.objects.order_by("pk").first()
    assert event is not None

    events.event_reverse(actor=worker, event=event, reason="录入错误", date=dt.date(2026, 1, 5))

    assert Person.objects.get(pk=event.person_id).status == ResidentStatus.VOIDED


def test_xlsx_as_excel_saves_it_is_imported(org, worker) -> None:
    birth = dt.date(1979, 12, 31)
    number = id_number(birth, 11, male=False)
    row = resident_row(1, 出生日期="", 身份证号码=number, 婚姻状况="")
    row[2] = dt.datetime(1979, 12, 31)  # noqa: DTZ001 - Excel date cells are naive
    row[4] = 13900001111
    row[10] = 30

    done = start(worker, xlsx_bytes([row]), "居民.xlsx")

    assert done.state == State.DONE, (done.message, done.error_rows)
    person = Person.objects.get()
    assert (person.birth_date, person.id_number, person.phone) == (birth, number, "13900001111")
    assert person.marital_status == "30"


def test_columns_in_another_order_with_synonyms_and_extra_columns(org, worker) -> None:
    header = ["序号", "身份证号", "姓名", "手机", "性别", "出生日期", "户口性质", "社居"]
    rows = []
    for index in range(3):
        full = dict(zip(PERSON_HEADERS, resident_row(index), strict=True))
        keys = ("身份证号码", "姓名", "联系电话", "性别", "出生日期", "户口性质")
        rows.append([index + 1, *(full[key] for key in keys), org.c1.name])

    done = start(worker, csv_bytes(rows, header=header))

    assert done.state == State.DONE, done.error_rows
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(r[2] for r in rows)


# --- all or nothing -------------------------------------------------------------------------


def test_one_bad_row_and_nothing_is_imported(org, worker) -> None:
    rows = resident_rows(10)
    rows[6][1] = "未知"  # Excel row 8

    result = start(worker, csv_bytes(rows))

    assert result.state == State.INVALID
    assert list(problems_of(result)) == [8]
    assert (result.total_rows, result.created_count) == (10, 0)
    assert import_selectors.error_count(result) == 1
    assert not Person.objects.exists()
    assert not LifeEvent.objects.exists()
    audit = AuditEvent.objects.get(object_type="registry.personimport")
    assert (audit.action, audit.result, audit.detail["errors"]) == ("create", "failure", 1)


def test_fixing_the_bad_rows_lets_the_whole_file_in(org, worker) -> None:
    rows = resident_rows(10)
    rows[2][2] = "1990-02-30"
    assert start(worker, csv_bytes(rows)).state == State.INVALID

    rows[2] = resident_row(2)
    done = start(worker, csv_bytes(rows))

    assert done.state == State.DONE
    assert Person.objects.count() == 10


def _expected(row: list[object]) -> list[str]:
    """What the shared check says about a row (the import must pass it on unchanged)."""
    parsed = files.parse_row(2, row, files.match_header(PERSON_HEADERS))
    return person_data_check(parsed.data, require_id_number=parsed.id_number_readable)


BIRTH = dt.date(1990, 5, 17)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"姓名": ""}, id="no-name"),
        pytest.param({"姓名": "名" * 51}, id="long-name"),
        pytest.param({"性别": "男女"}, id="sex"),
        pytest.param({"出生日期": "1990-13-01"}, id="impossible-date"),
        pytest.param({"出生日期": "下个月"}, id="not-a-date"),
        pytest.param({"出生日期": "2999-01-01"}, id="future-date"),
        pytest.param({"出生日期": "1899-12-31"}, id="before-1900"),
        pytest.param({"身份证号码": ""}, id="no-id"),
        pytest.param({"身份证号码": "37040419900517001"}, id="id-length"),
        pytest.param({"身份证号码": id_number(BIRTH, 1, male=True)[:-1] + "0"}, id="check-digit"),
        pytest.param({"性别": "女", "出生日期": "1990-05-17"}, id="id-sex-mismatch"),
        pytest.param({"联系电话": "12345"}, id="phone"),
        pytest.param({"民族": "火星族"}, id="ethnicity"),
        pytest.param({"户口性质": "海外"}, id="hukou"),
        pytest.param({"户口性质": ""}, id="hukou-missing"),
        pytest.param({"婚姻状况": "同居"}, id="marital"),
        pytest.param({"户籍地": "3704"}, id="division"),
        pytest.param({"现住址": "址" * 201}, id="address"),
    ],
)
def test_each_problem_of_the_shared_check_is_reported_on_its_row(org, worker, changes) -> None:
    row = resident_row(0, **changes)
    if "性别" in changes and "出生日期" in changes:
        row[3] = id_number(BIRTH, 1, male=True)  # a man's number for a woman
    expected = _expected(row)
    assert expected, "the case must be a bad row"

    result = start(worker, csv_bytes([resident_row(1), row]))

    assert result.state == State.INVALID
    assert problems_of(result) == {3: expected}


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("3.70404E+17", files.ID_AS_NUMBER),
        ("37040419900517001X ", None),
    ],
    ids=["excel-number", "text-is-not-taken-for-a-number"],
)
def test_an_id_number_stored_as_a_number_is_explained(org, worker, cell, message) -> None:
    row = resident_row(0, 身份证号码=cell)
    result = start(worker, csv_bytes([row]))
    if message is None:
        assert result.state == State.INVALID
        assert str(files.ID_AS_NUMBER) not in problems_of(result)[2]
    else:
        assert problems_of(result) == {2: [str(message)]}


def test_an_xlsx_number_cell_for_the_id_number_is_explained(org, worker) -> None:
    row: list[object] = list(resident_row(0))
    row[3] = float(row[3][:15] + "000")  # what Excel keeps of an 18-digit number
    result = start(worker, xlsx_bytes([row]), "居民.xlsx")
    assert problems_of(result) == {2: [str(files.ID_AS_NUMBER)]}
    assert "Excel" in str(files.ID_AS_NUMBER)


def test_the_same_id_number_twice_in_the_file(org, worker) -> None:
    rows = resident_rows(5)
    rows[3] = list(rows[0])
    rows[3][0] = "另一个人"

    result = start(worker, csv_bytes(rows))

    assert result.state == State.INVALID
    assert problems_of(result) == {5: ["The same ID number is also in row 2."]}


def test_an_id_number_written_with_a_lower_case_x_is_the_same_number(org, worker) -> None:
    upper = next(
        id_number(BIRTH, n, male=True)
        for n in range(500)
        if id_number(BIRTH, n, male=True).endswith("X")
    )
    row = resident_row(0, 出生日期="1990-05-17", 身份证号码=upper)
    twin = resident_row(1, 性别="男", 出生日期="1990-05-17", 身份证号码=upper.lower())

    result = start(worker, csv_bytes([row, twin]))

    assert problems_of(result) == {3: ["The same ID number is also in row 2."]}


# --- communities ----------------------------------------------------------------------------


def test_street_staff_rows_go_to_the_community_named_by_name_or_code(org, street) -> None:
    rows = [
        resident_row(0, community=org.c1.name),
        resident_row(1, community=org.c2.code),
        resident_row(2, community=f" {org.c2.name} "),
    ]

    done = start(street, csv_bytes(rows))

    assert done.state == State.DONE, done.error_rows
    assert done.community == org.street
    by_name = dict(Person.objects.values_list("name", "community"))
    assert by_name == {rows[0][0]: org.c1.pk, rows[1][0]: org.c2.pk, rows[2][0]: org.c2.pk}


def test_street_staff_choosing_a_community_fills_the_empty_cells(org, street) -> None:
    rows = [resident_row(0), resident_row(1, community=org.c1.name)]
    done = start(street, csv_bytes(rows), community=org.c2)
    assert done.state == State.DONE
    assert sorted(Person.objects.values_list("community", flat=True)) == sorted(
        [org.c1.pk, org.c2.pk]
    )


def test_street_staff_without_a_community_must_name_one_in_every_row(org, street) -> None:
    result = start(street, csv_bytes([resident_row(0, community=org.c1.name), resident_row(1)]))
    assert list(problems_of(result)) == [3]
    assert "community" in problems_of(result)[3][0]


def test_unknown_and_foreign_communities_are_row_errors(org, worker) -> None:
    rows = [
        resident_row(0, community=org.c1.name),
        resident_row(1, community="火星社区"),
        resident_row(2, community=org.c2.name),
        resident_row(3, community=org.c2.code),
    ]

    result = start(worker, csv_bytes(rows))

    assert problems_of(result) == {
        3: ["Unknown community: “火星社区”."],
        4: [f"The community “{org.c2.name}” lies outside your area."],
        5: [f"The community “{org.c2.code}” lies outside your area."],
    }


def test_a_worker_cannot_import_into_another_community(org, worker) -> None:
    with pytest.raises(Forbidden):
        start(worker, csv_bytes([resident_row(0)]), community=org.c2)
    assert not PersonImport.objects.exists()


def test_roles_without_the_registry_capability_cannot_import(org, make_user) -> None:
    for role in (Role.LEADER, Role.PARTNER_REPORTER, Role.SYSTEM_ADMIN):
        actor = Actor(user=make_user(role))
        with pytest.raises(Forbidden):
            start(actor, csv_bytes([resident_row(0)]))
    assert not PersonImport.objects.exists()


# --- registered already ---------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(org, worker) -> None:
    content = csv_bytes(resident_rows(30))
    first = start(worker, content)
    persons = list(Person.objects.order_by("pk").values_list("pk", "name", "updated_at"))

    again = start(worker, content)

    assert again.state == State.DONE
    assert (again.created_count, again.unchanged_count, again.total_rows) == (0, 30, 30)
    assert list(Person.objects.order_by("pk").values_list("pk", "name", "updated_at")) == persons
    assert LifeEvent.objects.count() == 30
    assert first.created_count == 30


def test_a_registered_id_number_with_other_facts_is_unchanged_not_updated(org, worker) -> None:
    rows = resident_rows(3)
    start(worker, csv_bytes(rows))
    rows[1][9] = "另一个地址"
    rows.append(resident_row(3))

    again = start(worker, csv_bytes(rows))

    assert (again.state, again.created_count, again.unchanged_count) == (State.DONE, 1, 3)
    assert not Person.objects.filter(address="另一个地址").exists()
    assert Person.objects.count() == 4


def test_a_registered_id_number_under_another_name_is_a_row_error_not_unchanged(
    org, worker
) -> None:
    rows = resident_rows(3)
    start(worker, csv_bytes(rows))
    registered_name = rows[1][0]
    rows[1][0] = "改了名字"
    rows.append(resident_row(3))

    again = start(worker, csv_bytes(rows))

    assert again.state == State.INVALID
    assert (again.created_count, again.unchanged_count) == (0, 2)
    assert problems_of(again) == {
        3: [
            f"This ID number is already registered to “{registered_name}”, not “改了名字”: "
            "check the ID number, or correct the name on the resident's page."
        ]
    }
    assert Person.objects.count() == 3
    assert not Person.objects.filter(name="改了名字").exists()


def test_the_name_conflict_is_told_in_chinese(org, worker) -> None:
    rows = resident_rows(1)
    start(worker, csv_bytes(rows))
    registered_name = rows[0][0]
    rows[0][0] = "另一人"

    with translation.override("zh-hans"):
        again = start(worker, csv_bytes(rows))

    assert problems_of(again) == {
        2: [
            f"该身份证号码已登记在“{registered_name}”名下，而不是“另一人”："
            "请核对身份证号码，或在居民页面更正姓名。"
        ]
    }


def test_an_id_number_registered_in_another_community_is_a_row_error(
    org, worker, make_person
) -> None:
    elsewhere = make_person(org.c2, name="李四")
    assert elsewhere.id_number is not None
    row = resident_row(0, 身份证号码=elsewhere.id_number, 出生日期="1990-05-17")

    result = start(worker, csv_bytes([resident_row(1), row]))

    assert problems_of(result) == {
        3: [
            "This ID number is already registered outside your area: "
            "record a move-in there instead."
        ]
    }


def test_an_id_number_of_a_voided_record_is_a_row_error(org, worker, make_person) -> None:
    voided = make_person(org.c1, name="李四")
    Person.objects.filter(pk=voided.pk).update(status=ResidentStatus.VOIDED)
    assert voided.id_number is not None
    row = resident_row(0, 身份证号码=voided.id_number, 出生日期="1990-05-17")

    result = start(worker, csv_bytes([row]))

    assert problems_of(result) == {2: ["This ID number belongs to a voided record."]}


def test_a_birth_date_before_1900_is_a_row_error_of_its_own(org, worker) -> None:
    row = resident_row(0, 出生日期="1899-12-31")

    result = start(worker, csv_bytes([row]))

    assert "Birth date lies before 1900." in problems_of(result)[2]


# --- likely duplicates ----------------------------------------------------------------------


@pytest.mark.parametrize("bulk", [False, True], ids=["per-chunk", "grouped"])
def test_likely_duplicates_are_flagged_in_bulk(org, worker, make_person, monkeypatch, bulk) -> None:
    monkeypatch.setattr(limits, "BULK_FLAG_ROWS", 1 if bulk else 10**9)
    monkeypatch.setattr(limits, "CHUNK_ROWS", 2)
    earlier = make_person(org.c1, name="王芳", sex="F", birth_date=dt.date(1990, 5, 17))
    same_phone = make_person(org.c1, name="赵敏", sex="F", phone="13911112222")
    voided = make_person(org.c1, name="王芳", sex="F", birth_date=dt.date(1990, 5, 17))
    Person.objects.filter(pk=voided.pk).update(status=ResidentStatus.VOIDED)
    # make_person numbers people from a session-wide counter: keep clear of what it gave.
    taken = {earlier.id_number, same_phone.id_number, voided.id_number}
    free = (n for seq in range(500) if (n := id_number(BIRTH, seq, male=False)) not in taken)
    rows = [
        resident_row(1, 姓名="王芳", 出生日期="1990-05-17", 身份证号码=next(free)),
        resident_row(3),
        resident_row(5, 姓名="王芳", 出生日期="1990-05-17", 身份证号码=next(free)),
        resident_row(7, 姓名="赵敏", 联系电话="139-1111-2222"),
        resident_row(9, 姓名="孙丽", 联系电话="13911112222"),
    ]

    done = start(worker, csv_bytes(rows))

    assert done.state == State.DONE, done.error_rows
    first, third, fourth = (
        Person.objects.get(id_number_index=imports_digest(rows[i][3])) for i in (0, 2, 3)
    )
    flags = set(DuplicateFlag.objects.values_list("person", "candidate", "reason", "community"))
    birth, phone = DuplicateFlag.Reason.NAME_BIRTH_DATE, DuplicateFlag.Reason.NAME_PHONE
    assert flags == {
        (first.pk, earlier.pk, birth, org.c1.pk),
        (third.pk, earlier.pk, birth, org.c1.pk),
        (third.pk, first.pk, birth, org.c1.pk),
        (fourth.pk, same_phone.pk, phone, org.c1.pk),
    }
    assert (
        AuditEvent.objects.get(object_type="registry.personimport").detail["duplicates_flagged"]
        == 4
    )


# --- limits and file errors -----------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_and_not_kept(org, worker, settings) -> None:
    content = csv_bytes(resident_rows(20))
    settings.JISHENG_IMPORT_MAX_BYTES = len(content) - 1
    with pytest.raises(ImportFileError) as refused:
        start(worker, content)
    assert refused.value.code == "file_too_large"
    assert "MB" in str(refused.value.message)
    assert not PersonImport.objects.exists()
    assert import_files() == []


def test_a_csv_over_the_row_limit_is_refused_at_once(org, worker, settings) -> None:
    settings.JISHENG_IMPORT_MAX_ROWS = 10
    with pytest.raises(ImportFileError) as refused:
        start(worker, csv_bytes(resident_rows(11)))
    assert refused.value.code == "too_many_rows"
    assert "10" in str(refused.value.message)
    assert import_files() == []
    assert start(worker, csv_bytes(resident_rows(10))).state == State.DONE


def test_an_xlsx_over_the_row_limit_is_refused_when_read(org, worker, settings) -> None:
    settings.JISHENG_IMPORT_MAX_ROWS = 5
    settings.JISHENG_IMPORT_INLINE_ROWS = 100
    result = start(worker, xlsx_bytes(resident_rows(6)), "居民.xlsx")
    assert result.state == State.INVALID
    assert "5" in result.message
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "a.csv", "empty_file"),
        (csv_bytes([]), "a.csv", "empty_file"),
        (xlsx_bytes([]), "a.xlsx", "empty_file"),
        (b"%PDF-1.4", "a.pdf", "unsupported_file_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "a.xls", "unsupported_file_type"),
        (csv_bytes([["王芳"]], header=["姓名"]), "a.csv", "missing_columns"),
    ],
    ids=["empty", "header-only", "xlsx-header-only", "pdf", "xls", "columns"],
)
def test_file_errors_are_refused_before_anything_is_queued(
    org, worker, content, name, code
) -> None:
    with pytest.raises(ImportFileError) as refused:
        start(worker, content, name)
    assert refused.value.code == code
    assert not PersonImport.objects.exists()
    assert import_files() == []


def test_the_upload_is_kept_in_the_instance_folder_sealed_until_done(org, worker) -> None:
    rows = resident_rows(3)
    rows[0][1] = "?"
    invalid = start(worker, csv_bytes(rows))
    stored = imports.stored_path(invalid)
    assert stored.is_file()
    # Kept for the bad-rows download, but sealed: no ID number or phone in clear.
    content = stored.read_bytes()
    assert not any(row[3].encode() in content or row[4].encode() in content for row in rows)
    assert [path.name for path in import_files()] == [stored.name]
    assert stored.parent == Path(settings.MEDIA_ROOT) / "imports"
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert stored.name != "居民.csv"

    done = start(worker, csv_bytes(resident_rows(3)))
    assert done.state == State.DONE
    assert not imports.stored_path(done).exists()  # the data now lives encrypted in the database
    assert not list(Path(settings.MEDIA_ROOT, "imports").glob("*.spool"))


# --- bad rows back as a file ----------------------------------------------------------------


def test_bad_rows_come_back_as_xlsx_with_an_explanation(org, worker) -> None:
    rows = resident_rows(6)
    rows[1][1] = "?"
    rows[4][3] = "3.70404E+17"
    rows[4][0] = "=HYPERLINK(1)"
    result = start(worker, csv_bytes(rows))
    buffer = io.BytesIO()

    count = imports.person_import_bad_rows(actor=worker, import_id=result.pk, destination=buffer)

    assert count == 2
    sheet = load_workbook(buffer).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == [*PERSON_HEADERS, "错误说明"]
    assert [row[0] for row in values[1:]] == [rows[1][0], "'=HYPERLINK(1)"]
    assert values[1][1:12] == [value or None for value in rows[1][1:]]
    assert values[1][12].startswith("Row 3: ")
    assert str(files.ID_AS_NUMBER) in values[2][12]
    assert sheet.cell(row=2, column=4).number_format == "@"
    audit = AuditEvent.objects.get(action="export")
    assert (audit.object_type, audit.object_id) == ("registry.personimport", str(result.pk))


def test_only_the_owner_gets_the_bad_rows(org, worker, street, make_user) -> None:
    rows = resident_rows(2)
    rows[0][1] = "?"
    result = start(worker, csv_bytes(rows))
    colleague = Actor(user=make_user(Role.COMMUNITY_WORKER))
    for other in (street, colleague):
        with pytest.raises(NotFound):
            imports.person_import_bad_rows(
                actor=other, import_id=result.pk, destination=io.BytesIO()
            )
        with pytest.raises(NotFound):
            import_selectors.person_import_for_owner(user=other.user, import_id=result.pk)


def test_a_done_import_has_no_bad_rows_file(org, worker) -> None:
    done = start(worker, csv_bytes(resident_rows(2)))
    with pytest.raises(NotFound):
        imports.person_import_bad_rows(actor=worker, import_id=done.pk, destination=io.BytesIO())


def test_the_list_of_bad_rows_is_capped_but_the_count_is_not(org, worker, settings) -> None:
    settings.JISHENG_IMPORT_MAX_ERROR_ROWS = 3
    rows = resident_rows(8)
    for row in rows:
        row[1] = "?"

    result = start(worker, csv_bytes(rows))

    assert len(import_selectors.listed_error_rows(result)) == 3
    assert import_selectors.omitted_error_rows(result) == 5
    assert import_selectors.error_count(result) == 8
    assert "8" in result.message


def test_a_resident_registered_while_the_file_is_checked_counts_as_unchanged(
    org, worker, monkeypatch
) -> None:
    """Someone registers the resident of row 4 right after the check looked for them."""
    rows = resident_rows(6)
    check = checking._registered

    def check_then_someone_registers(digests: list[str]) -> dict[str, tuple[int, str, str]]:
        found = check(digests)
        if not Person.objects.exists():
            Person.objects.create(
                community=org.c1,
                name=rows[3][0],
                sex="F",
                birth_date=dt.date.fromisoformat(rows[3][2]),
                id_number=rows[3][3],
                hukou_type="urban",
            )
        return found

    monkeypatch.setattr(checking, "_registered", check_then_someone_registers)

    result = start(worker, csv_bytes(rows))

    assert result.state == State.DONE, result.message
    assert (result.created_count, result.unchanged_count) == (5, 1)
    assert Person.objects.count() == 6
    assert LifeEvent.objects.count() == 5


def test_a_resident_registered_under_another_name_while_checked_fails_the_import(
    org, worker, monkeypatch
) -> None:
    """Someone registers row 4's ID number under another name right after the check."""
    rows = resident_rows(6)
    check = checking._registered

    def check_then_someone_registers(digests: list[str]) -> dict[str, tuple[int, str, str]]:
        found = check(digests)
        if not Person.objects.exists():
            Person.objects.create(
                community=org.c1,
                name="别的名字",
                sex="F",
                birth_date=dt.date.fromisoformat(rows[3][2]),
                id_number=rows[3][3],
                hukou_type="urban",
            )
        return found

    monkeypatch.setattr(checking, "_registered", check_then_someone_registers)

    result = start(worker, csv_bytes(rows))

    assert result.state == State.FAILED
    assert "another name" in result.message
    assert Person.objects.count() == 1
    assert LifeEvent.objects.count() == 0


def test_a_failure_while_loading_rolls_back_every_chunk(
    org, worker, make_person, monkeypatch
) -> None:
    """A resident registered by someone else between the passes (simulated by hiding it
    from both existence checks) makes an insert fail in the third chunk."""
    taken = make_person(org.c1, name="李四")
    assert taken.id_number is not None
    monkeypatch.setattr(limits, "CHUNK_ROWS", 2)
    monkeypatch.setattr(checking, "_registered", lambda digests: {})
    rows = resident_rows(6)
    rows[5] = resident_row(5, 身份证号码=taken.id_number, 性别="男", 出生日期="1990-05-17")

    result = start(worker, csv_bytes(rows))

    assert result.state == State.FAILED
    assert "again" in result.message
    assert Person.objects.count() == 1
    assert not LifeEvent.objects.exists()
    assert not DuplicateFlag.objects.exists()
    audit = AuditEvent.objects.get(object_type="registry.personimport")
    assert (audit.result, audit.detail) == ("failure", {"error": "IntegrityError"})
    assert not imports.stored_path(result).exists()  # a failed import keeps no upload
