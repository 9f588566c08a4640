"""Files for the import tests: valid resident rows, written as CSV (any encoding) or .xlsx.

No tests here; the import, export and kill tests share these helpers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jisheng.core.idnumber import id_number_check_digit
from jisheng.registry.imports.files import PERSON_HEADERS

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "秀英", "桂兰", "志强", "海燕", "丽娟", "明", "静", "磊", "芳", "伟", "敏")


def id_number(birth: dt.date, sequence: int, *, male: bool, region: str = "370404") -> str:
    """A valid 18-character number; ``sequence`` (0–499) keeps numbers of one day apart."""
    body = f"{region}{birth:%Y%m%d}{sequence * 2 + (1 if male else 0):03d}"
    return body + id_number_check_digit(body)


def resident_row(index: int, *, community: str = "", **changes: str) -> list[str]:
    """Row ``index`` of a valid file in template column order; every index a new person."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(index * 37) % 20000)
    male = index % 2 == 0
    row = {
        "姓名": SURNAMES[index % len(SURNAMES)] + GIVEN[(index // 7) % len(GIVEN)],
        "性别": "男" if male else "女",
        "出生日期": birth.isoformat(),
        "身份证号码": id_number(birth, (index // 20000) % 500, male=male),
        "联系电话": f"139{index:08d}",
        "民族": "汉族",
        "户口性质": "城镇" if index % 3 else "农村",
        "户籍地": "370404",
        "是否流动人口": "否",
        "现住址": f"榴园社区{index % 40 + 1}号楼{index % 6 + 1}01",
        "婚姻状况": "已婚" if index % 4 else "未婚",
        "所属社居": community,
    }
    unknown = set(changes) - set(row)
    assert not unknown, unknown
    row.update(changes)
    return [row[header] for header in PERSON_HEADERS]


def resident_rows(count: int, *, start: int = 0, community: str = "") -> list[list[str]]:
    return [resident_row(i, community=community) for i in range(start, start + count)]


def csv_bytes(
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[str] = PERSON_HEADERS,
    encoding: str = "utf-8-sig",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Iterable[Sequence[object]], *, header: Sequence[str] = PERSON_HEADERS
) -> bytes:
    """A workbook as Excel would save it: cells keep their Python types (dates, numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "居民.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
