"""Reading resident files: types, encodings, headers by name, cells as Excel leaves them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jisheng.registry.imports import files
from jisheng.registry.imports.files import TEMPLATE_HEADERS, ImportFileError
from support.import_files import csv_bytes, id_number, resident_row, xlsx_bytes


def write(tmp_path: Path, content: bytes, name: str = "居民.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def parsed_rows(path: Path, name: str | None = None) -> list[files.ParsedRow]:
    sheet = files.open_sheet(path, name or path.name)
    parse = files.RowParser(sheet.columns)
    return [parse(number, cells) for number, cells in files.rows(sheet)]


# --- types and encodings --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_is_read_in_the_encodings_chinese_excel_saves(tmp_path, encoding) -> None:
    rows = [resident_row(0, 现住址="榴园社区3号楼·东单元"), resident_row(1)]
    path = write(tmp_path, csv_bytes(rows, encoding=encoding))

    found = parsed_rows(path)

    assert [row.data.name for row in found] == [rows[0][0], rows[1][0]]
    assert found[0].data.address == "榴园社区3号楼·东单元"
    assert found[0].data.sex == "M"
    assert found[1].data.hukou_type == "urban"


def test_detected_encodings(tmp_path) -> None:
    text = "姓名,性别\n王芳,女\n"
    assert files.detect_encoding(write(tmp_path, text.encode("utf-8"), "a.csv")) == "utf-8-sig"
    assert files.detect_encoding(write(tmp_path, text.encode("gbk"), "b.csv")) == "gb18030"
    bom = write(tmp_path, "\ufeff".encode() + text.encode(), "c.csv")
    assert files.detect_encoding(bom) == "utf-8-sig"


def test_xlsx_rows_keep_excel_row_numbers_and_skip_blank_rows(tmp_path) -> None:
    rows = [resident_row(0), [None] * 12, resident_row(1)]
    path = write(tmp_path, xlsx_bytes(rows), "居民.xlsx")

    found = parsed_rows(path)

    assert [row.number for row in found] == [2, 4]


def test_csv_row_numbers_count_the_header_as_row_one(tmp_path) -> None:
    content = csv_bytes([resident_row(0), [""] * 12, resident_row(1)])
    assert [row.number for row in parsed_rows(write(tmp_path, content))] == [2, 4]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        pytest.param(b"", "a.csv", "empty_file", id="empty"),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "a.xls",
            "unsupported_file_type",
            id="xls",
        ),
        pytest.param(b"%PDF-1.4 ...", "a.pdf", "unsupported_file_type", id="pdf"),
        pytest.param(b"PK\x03\x04not really a zip", "a.xlsx", "unreadable_file", id="broken-xlsx"),
        pytest.param(b"PK\x03\x04zip", "a.docx", "unsupported_file_type", id="docx"),
        pytest.param(b"\xff\xfe\x00\xd8garbage", "a.csv", "unreadable_file", id="utf16-garbage"),
        pytest.param(b"\x81\x30\xff\xff\xff", "a.csv", "unreadable_file", id="not-text"),
        pytest.param(b"\n\n", "a.csv", "empty_file", id="blank-lines"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_a_code(
    tmp_path, content, name, code
) -> None:
    path = write(tmp_path, content, name)
    with pytest.raises(ImportFileError) as refused:
        files.open_sheet(path, name)
    assert refused.value.code == code
    assert str(refused.value.message)


# --- headers --------------------------------------------------------------------------------


def test_columns_are_found_by_header_text_in_any_order_with_synonyms(tmp_path) -> None:
    header = [
        "备注",
        " 手机 ",
        "身份证号",
        "性别",
        "姓名*",
        "出生日期（年-月-日）",
        "户口性质",
        "住址",
    ]
    birth = dt.date(1990, 5, 17)
    number = id_number(birth, 3, male=False)
    row = ["随便写的", "13900001111", number, "女", "王芳", "1990/5/17", "农村", "青檀路1号"]
    path = write(tmp_path, csv_bytes([row], header=header))

    [found] = parsed_rows(path)

    data = found.data
    assert (data.name, data.sex, data.birth_date) == ("王芳", "F", birth)
    assert (data.id_number, data.phone, data.address) == (number, "13900001111", "青檀路1号")
    assert data.hukou_type == "rural"
    assert data.ethnicity == "01"  # column absent: Han, as the template says
    assert data.marital_status == "90"  # column absent: not stated
    assert found.community == ""


def test_missing_required_columns_are_named(tmp_path) -> None:
    path = write(tmp_path, csv_bytes([["王芳", "女"]], header=["姓名", "性别"]))
    with pytest.raises(ImportFileError) as refused:
        files.open_sheet(path, "a.csv")
    assert refused.value.code == "missing_columns"
    for header in ("出生日期", "身份证号码", "户口性质"):
        assert header in str(refused.value.message)


def test_two_columns_for_one_field_are_refused(tmp_path) -> None:
    header = [*TEMPLATE_HEADERS, "手机"]
    path = write(tmp_path, csv_bytes([], header=header))
    with pytest.raises(ImportFileError) as refused:
        files.open_sheet(path, "a.csv")
    assert refused.value.code == "duplicate_column"
    assert "手机" in str(refused.value.message)


def test_tab_separated_text_is_read(tmp_path) -> None:
    content = ("\t".join(TEMPLATE_HEADERS) + "\n" + "\t".join(resident_row(5)) + "\n").encode(
        "utf-16"
    )
    [found] = parsed_rows(write(tmp_path, content, "居民.txt"))
    assert found.data.name == resident_row(5)[0]


# --- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2020-01-05",
        "2020/1/5",
        "2020.1.5",
        "20200105",
        "2020年1月5日",
        " 2020-01-05 00:00:00 ",
        20200105,
        dt.datetime(2020, 1, 5, 0, 0),  # noqa: DTZ001 - Excel date cells are naive
        dt.date(2020, 1, 5),
    ],
)
def test_dates_in_the_forms_people_type(value) -> None:
    assert files.parse_date(value) == dt.date(2020, 1, 5)


@pytest.mark.parametrize("value", ["", None, "2020-02-30", "05/01/2020", "明年", "2020-1", 43835])
def test_what_is_not_a_date(value) -> None:
    assert files.parse_date(value) is None


def test_xlsx_date_cells_and_numbers_are_read_as_excel_stores_them(tmp_path) -> None:
    birth = dt.date(1988, 2, 29)
    number = id_number(birth, 7, male=True)
    row = resident_row(0)
    row[2] = dt.datetime(1988, 2, 29)  # noqa: DTZ001 - an Excel date cell is naive
    row[3] = number
    row[4] = 13900001111  # a phone typed into a number cell
    row[7] = 370404  # a division code typed into a number cell
    row[10] = 20  # marital status as its code, as a number
    [found] = parsed_rows(write(tmp_path, xlsx_bytes([row]), "a.xlsx"))
    data = found.data
    assert (data.birth_date, data.id_number, data.phone) == (birth, number, "13900001111")
    assert (data.hukou_division, data.marital_status) == ("370404", "20")
    assert data.problems == []


@pytest.mark.parametrize(
    "cell",
    [3.70404198802291e17, "3.70404E+17", "3.70404198802291E+17"],
    ids=["xlsx-number", "csv-scientific", "csv-15-digits"],
)
def test_an_id_number_excel_turned_into_a_number_is_explained(cell) -> None:
    row = resident_row(0)
    row[3] = cell
    found = files.parse_row(2, row, files.match_header(TEMPLATE_HEADERS))
    assert found.data.problems == [str(files.ID_AS_NUMBER)]
    assert found.data.id_number == ""
    assert not found.id_number_readable


def test_ethnicity_marital_status_and_floating_by_name_or_code() -> None:
    columns = files.match_header(TEMPLATE_HEADERS)
    cases = [
        ({"民族": "回族", "婚姻状况": "离婚", "是否流动人口": "是"}, ("03", "40", True)),
        ({"民族": "满", "婚姻状况": "丧偶", "是否流动人口": "Y"}, ("11", "30", True)),
        ({"民族": "8", "婚姻状况": "10", "是否流动人口": ""}, ("08", "10", False)),
        ({"民族": "维吾尔族", "婚姻状况": "再婚", "是否流动人口": "否"}, ("05", "20", False)),
        ({"民族": "", "婚姻状况": "", "是否流动人口": "0"}, ("01", "90", False)),
    ]
    for changes, expected in cases:
        data = files.parse_row(2, resident_row(0, **changes), columns).data
        assert (data.ethnicity, data.marital_status, data.is_floating) == expected, changes
        assert data.problems == []


def test_an_unknown_floating_value_is_a_problem() -> None:
    row = resident_row(0, 是否流动人口="也许")
    data = files.parse_row(2, row, files.match_header(TEMPLATE_HEADERS)).data
    assert data.problems == [str(files.FLOATING_VALUE)]


# --- the template ---------------------------------------------------------------------------


def test_template_has_the_headers_text_columns_and_notes(tmp_path) -> None:
    path = tmp_path / "template.xlsx"
    files.write_template(path)

    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(TEMPLATE_HEADERS)
    assert sheet.column_dimensions["D"].number_format == "@"  # 身份证号码 kept as text
    assert "填写说明" in workbook.sheetnames
    # The template itself is a valid, empty import file.
    sheet_info = files.open_sheet(path, "template.xlsx")
    assert list(files.rows(sheet_info)) == []
    assert set(sheet_info.columns) == {key for _h, key in files.TEMPLATE_COLUMNS}


def test_template_written_to_a_stream_is_a_workbook() -> None:
    buffer = io.BytesIO()
    files.write_template(buffer)
    assert buffer.getvalue().startswith(b"PK\x03\x04")
