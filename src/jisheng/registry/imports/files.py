"""Reading resident files: .xlsx or .csv as Chinese Excel saves them, streamed row by row.

Columns are found by their header text (spaces, ``*`` and a bracketed note are ignored,
a few synonyms are accepted), never by position; unknown columns are ignored. Cells are
turned into :class:`PersonData` here, without the database: what needs the database
(community, known ID numbers) is checked by ``checking``.

The header texts and the values written in cells (男/女, 汉族, 城镇…) are a file format
shared with the people who fill the template, so they are plain Chinese constants.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import re
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.core.errors import JishengError
from jisheng.core.text import CONTROL_MESSAGE, has_control, nfc
from jisheng.registry.models import HukouType, MaritalStatus, Sex
from jisheng.registry.services.persons import PersonData

FileKind = Literal["xlsx", "csv"]
Cells = Sequence[object]

# The optional family columns (read by ``families``), in the template's order.
FAMILY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("户号", "household_number"),
    ("与户主关系", "relation"),
    ("配偶身份证号", "spouse_id_number"),
    ("父亲身份证号", "father_id_number"),
    ("母亲身份证号", "mother_id_number"),
    ("结婚日期", "marriage_date"),
    ("子女数", "children_declared"),
)
FAMILY_KEYS = tuple(key for _header, key in FAMILY_COLUMNS)
FAMILY_SYNONYMS: dict[str, str] = {
    "户编号": "household_number",
    "户口编号": "household_number",
    "与户主的关系": "relation",
    "与户主关系代码": "relation",
    "家庭关系": "relation",
    "配偶身份证号码": "spouse_id_number",
    "配偶公民身份号码": "spouse_id_number",
    "父亲身份证号码": "father_id_number",
    "父亲公民身份号码": "father_id_number",
    "母亲身份证号码": "mother_id_number",
    "母亲公民身份号码": "mother_id_number",
    "登记结婚日期": "marriage_date",
    "婚姻登记日期": "marriage_date",
    "子女个数": "children_declared",
    "子女人数": "children_declared",
}
# The resident's own columns, in the template's order: header text → PersonData field (or
# "community").
PERSON_COLUMNS: tuple[tuple[str, str], ...] = (
    ("姓名", "name"),
    ("性别", "sex"),
    ("出生日期", "birth_date"),
    ("身份证号码", "id_number"),
    ("联系电话", "phone"),
    ("民族", "ethnicity"),
    ("户口性质", "hukou_type"),
    ("户籍地", "hukou_division"),
    ("是否流动人口", "is_floating"),
    ("现住址", "address"),
    ("婚姻状况", "marital_status"),
    ("所属社居", "community"),
)
PERSON_HEADERS = tuple(header for header, _key in PERSON_COLUMNS)
# The template: the resident's columns, then the optional family ones.
TEMPLATE_COLUMNS = (*PERSON_COLUMNS, *FAMILY_COLUMNS)
TEMPLATE_HEADERS = tuple(header for header, _key in TEMPLATE_COLUMNS)
HEADER_OF = {key: header for header, key in TEMPLATE_COLUMNS}
SYNONYMS: dict[str, str] = {
    "身份证号": "id_number",
    "身份证": "id_number",
    "公民身份号码": "id_number",
    "身份证件号码": "id_number",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "联系方式": "phone",
    "出生年月日": "birth_date",
    "生日": "birth_date",
    "住址": "address",
    "现居住地址": "address",
    "居住地址": "address",
    "户口类型": "hukou_type",
    "户籍地代码": "hukou_division",
    "流动人口": "is_floating",
    "婚姻状态": "marital_status",
    "社居": "community",
    "所属社区": "community",
    "社区": "community",
    "所属村居": "community",
    **FAMILY_SYNONYMS,
}
HEADER_KEYS: dict[str, str] = {**dict(TEMPLATE_COLUMNS), **SYNONYMS}
REQUIRED_KEYS = ("name", "sex", "birth_date", "id_number", "hukou_type")

# GB 3304-1991: names of the nationalities, in code order 01–56, then 97 and 98.
ETHNICITY_NAMES = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
)
ETHNICITY_CODES: dict[str, str] = {
    **{name: f"{n:02d}" for n, name in enumerate(ETHNICITY_NAMES, start=1)},
    **{name.removesuffix("族"): f"{n:02d}" for n, name in enumerate(ETHNICITY_NAMES, start=1)},
    "其他": "97",
    "外国血统中国籍人士": "98",
    "外国血统": "98",
}
# Plain strings, not enum members: the values go straight into database rows.
SEX_CODES = {
    "男": str(Sex.MALE),
    "女": str(Sex.FEMALE),
    "男性": str(Sex.MALE),
    "女性": str(Sex.FEMALE),
}
HUKOU_CODES: dict[str, str] = {
    "城镇": str(HukouType.URBAN),
    "城市": str(HukouType.URBAN),
    "非农业": str(HukouType.URBAN),
    "非农": str(HukouType.URBAN),
    "农村": str(HukouType.RURAL),
    "农业": str(HukouType.RURAL),
}
MARITAL_CODES: dict[str, str] = {
    "未婚": str(MaritalStatus.UNMARRIED),
    "已婚": str(MaritalStatus.MARRIED),
    "有配偶": str(MaritalStatus.MARRIED),
    "初婚": str(MaritalStatus.MARRIED),
    "再婚": str(MaritalStatus.MARRIED),
    "复婚": str(MaritalStatus.MARRIED),
    "丧偶": str(MaritalStatus.WIDOWED),
    "离婚": str(MaritalStatus.DIVORCED),
    "离异": str(MaritalStatus.DIVORCED),
    "未说明": str(MaritalStatus.UNSTATED),
    # GB/T 2261.2 sub-codes of "married"; the registry keeps the main code.
    "21": str(MaritalStatus.MARRIED),
    "22": str(MaritalStatus.MARRIED),
    "23": str(MaritalStatus.MARRIED),
}
UNSTATED = str(MaritalStatus.UNSTATED)
YES = frozenset({"是", "Y", "YES", "1", "TRUE", "流动", "流动人口"})
NO = frozenset({"否", "N", "NO", "0", "FALSE", "", "非流动", "户籍人口"})

_HEADER_NOISE = re.compile(r"[\s\u3000*＊:：]|[（(][^）)]*[）)]")
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]*)?[eE]\+?[0-9]+")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other OLE files
_ENCODING_PROBE_BYTES = 1 << 20

ID_AS_NUMBER = gettext_lazy(
    "The ID number was stored by Excel as a number and has lost its last digits: "
    "format the column as text and type the number again."
)
PHONE_AS_NUMBER = gettext_lazy(
    "The phone number was stored by Excel as a number in scientific notation: "
    "format the column as text and type it again."
)
FLOATING_VALUE = gettext_lazy("The floating-resident column must be 是 or 否.")


class ImportFileError(JishengError):
    """The file as a whole cannot be imported (type, size, encoding, header, row count)."""

    code = "invalid_file"


def header_text(text: object) -> str:
    """A header cell's name without spaces, ``*`` (a required column) or a bracketed note."""
    return "" if text is None else _HEADER_NOISE.sub("", str(text))


def header_key(text: object) -> str | None:
    """The field a header cell names, or None for a column the import ignores."""
    if text is None:
        return None
    return HEADER_KEYS.get(header_text(text))


def match_header(header: Cells) -> dict[str, int]:
    """Field → column index; refuses a header without the required columns or with a repeat."""
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        key = header_key(text)
        if key is None:
            continue
        if key in columns:
            raise ImportFileError(
                _("Columns “%(first)s” and “%(second)s” both give %(field)s: keep one of them.")
                % {
                    "first": str(header[columns[key]]).strip(),
                    "second": str(text).strip(),
                    "field": HEADER_OF[key],
                },
                code="duplicate_column",
            )
        columns[key] = index
    missing = [HEADER_OF[key] for key in REQUIRED_KEYS if key not in columns]
    if missing:
        raise ImportFileError(
            _(
                "The first row must name the columns; missing: %(missing)s. "
                "Download the template to see them all."
            )
            % {"missing": "、".join(missing)},
            code="missing_columns",
        )
    return columns


@dataclass(frozen=True)
class Sheet:
    """An uploaded file whose header has been read and matched."""

    path: Path
    kind: FileKind
    columns: dict[str, int]
    header: tuple[str, ...]
    encoding: str = ""
    delimiter: str = ","
    # Rows the file says it has (xlsx dimension), header included; None when unknown.
    declared_rows: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def file_kind(path: Path, file_name: str) -> FileKind:
    """What the file is, by its first bytes and, for text, by its name."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    suffix = Path(file_name).suffix.lower()
    if not magic:
        raise ImportFileError(_("The file is empty."), code="empty_file")
    if magic.startswith(_OLE_MAGIC):
        raise ImportFileError(
            _("This is an old Excel (.xls) file: save it as .xlsx and upload it again."),
            code="unsupported_file_type",
        )
    if magic.startswith(_ZIP_MAGIC):
        if suffix not in {".xlsx", ".xlsm"}:
            raise ImportFileError(
                _("Only .xlsx and .csv files can be imported."), code="unsupported_file_type"
            )
        return "xlsx"
    if suffix not in {".csv", ".txt"}:
        raise ImportFileError(
            _("Only .xlsx and .csv files can be imported."), code="unsupported_file_type"
        )
    return "csv"


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (which includes GBK)."""
    with path.open("rb") as handle:
        start = handle.read(4)
    utf16 = start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_ENCODING_PROBE_BYTES):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError(
        _("The file is not readable text: save it as CSV (UTF-8) or as .xlsx."),
        code="unreadable_file",
    )


def open_sheet(path: Path, file_name: str) -> Sheet:
    """Check the file's type, encoding and header; the rows are read later by :func:`rows`."""
    kind = file_kind(path, file_name)
    if kind == "xlsx":
        return _open_xlsx(path)
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        first_line = handle.readline()
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        handle.seek(0)
        header = next(csv.reader(handle, delimiter=delimiter), None)
    if not header or not any(cell.strip() for cell in header):
        raise ImportFileError(_("The file is empty."), code="empty_file")
    columns = match_header(header)
    return Sheet(
        path=path,
        kind="csv",
        columns=columns,
        header=tuple(cell.strip() for cell in header),
        encoding=encoding,
        delimiter=delimiter,
    )


def open_table(path: Path, file_name: str) -> tuple[Sheet, tuple[str, ...]]:
    """Another import's file (its own columns): type and encoding checked, the header row
    read; the caller matches the header and reads the data rows with :func:`rows`."""
    kind = file_kind(path, file_name)
    if kind == "xlsx":
        workbook = _load_workbook(path)
        try:
            worksheet = workbook.worksheets[0]
            worksheet.reset_dimensions()
            with _reading_workbook():
                first: Cells | None = next(worksheet.iter_rows(values_only=True), None)
        finally:
            workbook.close()
        sheet = Sheet(path=path, kind="xlsx", columns={}, header=())
    else:
        encoding = detect_encoding(path)
        with path.open(encoding=encoding, newline="") as handle:
            first_line = handle.readline()
            delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
            handle.seek(0)
            first = next(csv.reader(handle, delimiter=delimiter), None)
        sheet = Sheet(
            path=path, kind="csv", columns={}, header=(), encoding=encoding, delimiter=delimiter
        )
    if not first or all(cell in (None, "") for cell in first):
        raise ImportFileError(_("The file is empty."), code="empty_file")
    return sheet, tuple("" if cell is None else str(cell).strip() for cell in first)


def _unreadable() -> ImportFileError:
    return ImportFileError(
        _(
            "The file could not be read as an Excel workbook (.xlsx): it is damaged or holds "
            "content a workbook must not have. Open it in Excel, save it again and upload it."
        ),
        code="unreadable_file",
    )


@contextlib.contextmanager
def _reading_workbook() -> Generator[None]:
    """Any failure while parsing the workbook (zip, truncated XML, a DOCTYPE or entity that
    defusedxml refuses, openpyxl's own errors) becomes one file-level refusal, never a 500."""
    try:
        yield
    except ImportFileError:
        raise
    except Exception as exc:  # a parser fails in many ways; each means "unreadable"
        raise _unreadable() from exc


def _load_workbook(path: Path) -> Any:
    # openpyxl parses with defusedxml when it is installed (a dependency): no entity
    # expansion (billion laughs), no external entities. tests/registry checks it is active.
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    with _reading_workbook():
        return load_workbook(path, read_only=True, data_only=True)


def _open_xlsx(path: Path) -> Sheet:
    workbook = _load_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        declared = sheet.max_row if sheet.max_row and sheet.max_row > 1 else None
        sheet.reset_dimensions()  # some writers store a wrong size; read what is there
        with _reading_workbook():
            header: Cells | None = next(sheet.iter_rows(values_only=True), None)
    finally:
        workbook.close()
    if not header or all(cell in (None, "") for cell in header):
        raise ImportFileError(_("The file is empty."), code="empty_file")
    columns = match_header(header)
    return Sheet(
        path=path,
        kind="xlsx",
        columns=columns,
        header=tuple("" if cell is None else str(cell).strip() for cell in header),
        declared_rows=declared,
    )


def _blank(cells: Cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def rows(sheet: Sheet) -> Generator[tuple[int, Cells]]:
    """(Excel row number, cells) of every non-blank data row; the header is row 1."""
    if sheet.kind == "xlsx":
        workbook = _load_workbook(sheet.path)
        try:
            worksheet = workbook.worksheets[0]
            worksheet.reset_dimensions()
            found = iter(enumerate(worksheet.iter_rows(values_only=True), start=1))
            while True:
                # The sheet is parsed lazily: a damaged part can fail at any row.
                with _reading_workbook():
                    item: tuple[int, Cells] | None = next(found, None)
                if item is None:
                    break
                number, cells = item
                if number > 1 and not _blank(cells):
                    yield number, cells
        finally:
            workbook.close()
        return
    with sheet.path.open(encoding=sheet.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=sheet.delimiter)
        next(reader, None)
        for number, line in enumerate(reader, start=2):
            if any(line) and not _blank(line):
                yield number, line


def count_rows(sheet: Sheet, *, stop_after: int) -> int:
    """Data rows of a CSV file (cheap), counting no further than ``stop_after``."""
    count = 0
    for _row in rows(sheet):
        count += 1
        if count >= stop_after:
            break
    return count


# --- cells → PersonData ---------------------------------------------------------------------


def _text(value: object) -> str:
    if type(value) is str:
        return nfc(value.strip())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


text_of = _text


def parse_date(value: object) -> dt.date | None:
    """Excel date cells, 2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日 and 20200105."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(text)
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _id_number(value: object, problems: list[str]) -> str:
    if type(value) is str:
        text = value.strip()
    elif isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        # Excel keeps 15 significant digits: an 18-digit number has lost its end. An exact
        # integer (written by a program, not by Excel) can still be taken as it is.
        if isinstance(value, int) and len(str(value)) == 18:
            return str(value)
        problems.append(str(ID_AS_NUMBER))
        return ""
    else:
        text = _text(value)
    if "E" in text.upper() and _SCIENTIFIC.fullmatch(text):
        problems.append(str(ID_AS_NUMBER))
        return ""
    return text


def _phone(value: object, problems: list[str]) -> str:
    text = _text(value)
    if "E" in text.upper() and _SCIENTIFIC.fullmatch(text):
        problems.append(str(PHONE_AS_NUMBER))
        return ""
    return text


def _code(text: str, names: Mapping[str, str], *, width: int = 2) -> str:
    if text.isascii() and text.isdecimal() and len(text) <= width:
        return text.zfill(width)
    return names.get(text, text)


@dataclass
class ParsedRow:
    """One data row as PersonData plus the community named in the row (may be empty)."""

    number: int
    data: PersonData
    community: str
    id_number_readable: bool


FIELD_ORDER = (
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "ethnicity",
    "hukou_type",
    "hukou_division",
    "is_floating",
    "address",
    "marital_status",
    "community",
)


class RowParser:
    """Turns the cells of one row into PersonData; cell-level problems go into ``problems``."""

    def __init__(self, columns: Mapping[str, int]) -> None:
        self.positions = tuple(columns.get(key, -1) for key in FIELD_ORDER)

    def __call__(self, number: int, cells: Cells) -> ParsedRow:
        width = len(cells)
        (
            name,
            sex_cell,
            birth_date,
            id_cell,
            phone_cell,
            ethnicity_cell,
            hukou_cell,
            division,
            floating_cell,
            address,
            marital_cell,
            community,
        ) = values = [cells[i] if 0 <= i < width else None for i in self.positions]
        problems: list[str] = []
        id_number = _id_number(id_cell, problems)
        readable = not problems
        for key, cell in zip(FIELD_ORDER, values, strict=True):
            # The same check as forms and the API (core.text): cells hold one line of text.
            if type(cell) is str and has_control(cell.strip(), multiline=False):
                problems.append(f"{HEADER_OF[key]}：{CONTROL_MESSAGE}")
        sex = _text(sex_cell)
        floating = _text(floating_cell).upper()
        if floating not in YES and floating not in NO:
            problems.append(str(FLOATING_VALUE))
        ethnicity = _text(ethnicity_cell)
        marital = _text(marital_cell)
        hukou = _text(hukou_cell)
        data = PersonData(
            name=_text(name),
            sex=SEX_CODES.get(sex) or sex.upper(),
            birth_date=parse_date(birth_date),
            id_number=id_number,
            phone=_phone(phone_cell, problems),
            ethnicity=_code(ethnicity, ETHNICITY_CODES) if ethnicity else "01",
            hukou_type=HUKOU_CODES.get(hukou) or hukou.lower(),
            hukou_division=_text(division),
            is_floating=floating in YES,
            address=_text(address),
            marital_status=_code(marital, MARITAL_CODES) if marital else UNSTATED,
            problems=problems,
        )
        return ParsedRow(
            number=number, data=data, community=_text(community), id_number_readable=readable
        )


def parse_row(number: int, cells: Cells, columns: Mapping[str, int]) -> ParsedRow:
    """One row on its own (a :class:`RowParser` is faster for many)."""
    return RowParser(columns)(number, cells)


# --- writing the template -------------------------------------------------------------------

TEMPLATE_NOTES: tuple[tuple[str, str], ...] = (
    ("姓名", "必填。"),
    ("性别", "必填：男 或 女。"),
    ("出生日期", "必填：2020-01-05、2020/1/5 或 20200105，或 Excel 日期。"),
    ("身份证号码", "必填：18 位。本列已设为文本格式；请勿改成数字格式，否则末尾几位会丢失。"),
    ("联系电话", "手机或座机号码，可留空。"),
    ("民族", "汉族、回族等名称，或两位代码（01 汉族）；留空按汉族。"),
    ("户口性质", "必填：城镇 或 农村。"),
    ("户籍地", "6、9 或 12 位行政区划代码；留空取身份证号码前 6 位。"),
    ("是否流动人口", "是 或 否；留空为否。"),
    ("现住址", "可留空。"),
    ("婚姻状况", "未婚、已婚、丧偶、离婚，或代码 10、20、30、40；留空为未说明。"),
    ("所属社居", "社居名称或 12 位代码；留空则导入到上传时选择的社居。"),
    ("户号", "家庭信息各列均可留空。同一户号的各行导入为同一户，其中一行为户主。"),
    (
        "与户主关系",
        "填写了户号时必填：户主、配偶、子、女、孙子、孙女、父亲、母亲、兄弟姐妹、其他等，"
        "或 GB/T 4761 两位代码（02 户主、10 配偶、20 子、30 女、40 孙子女、50 父母）。",
    ),
    ("配偶身份证号", "18 位；配偶可在本文件的其他行，也可是已登记的居民。"),
    ("父亲身份证号", "18 位；父亲可在本文件的其他行，也可是已登记的居民。"),
    ("母亲身份证号", "18 位；母亲可在本文件的其他行，也可是已登记的居民。"),
    ("结婚日期", "填写了配偶身份证号时，夫妻两行中至少一行填写。"),
    ("子女数", "申报的子女总数（含不在本辖区的子女），可留空。"),
    ("说明", "列的顺序可以调整，未知的列会被忽略。同一身份证号码已登记的居民不会重复导入。"),
)
TEXT_COLUMNS = frozenset(
    {
        "id_number",
        "phone",
        "hukou_division",
        "community",
        "marital_status",
        "household_number",
        "relation",
        "spouse_id_number",
        "father_id_number",
        "mother_id_number",
    }
)


def write_template(target: Path | IO[bytes]) -> None:
    """The downloadable .xlsx template: headers, text-formatted number columns, notes."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.styles import Font  # type: ignore[import-untyped, unused-ignore]
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped, unused-ignore]
        DataValidation,
    )

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "居民"
    sheet.append(list(TEMPLATE_HEADERS))
    for index, (header, key) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.cell(row=1, column=index).font = Font(bold=key in REQUIRED_KEYS)
        sheet.column_dimensions[letter].width = max(12, len(header) * 3)
        if key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
        if key in {"birth_date", "marriage_date"}:
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
    choices = {
        "sex": '"男,女"',
        "hukou_type": '"城镇,农村"',
        "is_floating": '"是,否"',
        "marital_status": '"未婚,已婚,丧偶,离婚"',
    }
    for index, (_header, key) in enumerate(TEMPLATE_COLUMNS, start=1):
        if key in choices:
            letter = sheet.cell(row=1, column=index).column_letter
            validation = DataValidation(type="list", formula1=choices[key], allow_blank=True)
            validation.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "填写要求"])
    for row in TEMPLATE_NOTES:
        notes.append(list(row))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 90
    workbook.save(target)
