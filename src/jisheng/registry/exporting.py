"""Writing resident files: the resident list (.xlsx, .csv) and an import's bad rows (.xlsx).

Exports show masked ID numbers only, and every text cell goes through ``safe_cell`` so that
Excel never runs it as a formula. Both formats stream: the workbook is written row by row
(openpyxl write-only) and the CSV is produced while the response is sent.
The column headers and the labels in cells are a file format, so they are Chinese constants.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.exports import Row, safe_cell, write_xlsx
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry import selectors
from jisheng.registry.imports import files
from jisheng.registry.models import Person

ExportFormat = Literal["xlsx", "csv"]

EXPORT_HEADERS = ("姓名", "性别", "出生日期", "身份证号码", "社居", "住址", "状态")
SEX_LABELS = {"M": "男", "F": "女"}
STATUS_LABELS = {
    "living": "在住",
    "moved_out": "已迁出",
    "deceased": "已死亡",
    "voided": "已作废",
    "non_resident": "非本地居民（家庭成员）",
}
ERROR_HEADER = "错误说明"
ITERATOR_CHUNK = 2000


def person_export(
    *, actor: Actor, filters: selectors.PersonFilters, file_format: ExportFormat
) -> Iterator[Row]:
    """The filtered resident list of the actor's area as rows; the export is audited first."""
    require(actor, Capability.VIEW_PERSONAL)
    persons = selectors.person_list(user=actor.user, filters=filters)
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            object_type="registry.person",
            detail={
                "filters": filters.as_audit_detail(),
                "format": file_format,
                "count": persons.count(),
            },
        )
    return _person_rows(persons)


def _person_rows(persons: QuerySet[Person]) -> Iterator[Row]:
    values = persons.values_list(
        "name", "sex", "birth_date", "id_number_masked", "community__name", "address", "status"
    )
    for name, sex, birth_date, masked, community, address, status in values.iterator(
        chunk_size=ITERATOR_CHUNK
    ):
        yield (
            safe_cell(name),
            SEX_LABELS.get(sex, safe_cell(sex)),
            birth_date,
            safe_cell(masked),
            safe_cell(community),
            safe_cell(address),
            STATUS_LABELS.get(status, safe_cell(status)),
        )


def write_persons_xlsx(target: Path | IO[bytes], rows: Iterable[Row]) -> int:
    return write_xlsx(
        target,
        EXPORT_HEADERS,
        rows,
        title="居民",
        text_columns=(3,),
        widths={0: 12, 2: 12, 3: 22, 4: 14, 5: 36, 6: 10},
    )


def write_bad_rows(
    sheet: files.Sheet, problems: Mapping[int, list[str]], target: Path | IO[bytes]
) -> int:
    """The bad rows of an import as uploaded, with 错误说明 (row number and problems) added."""
    width = len(sheet.header)
    text_columns = [index for key, index in sheet.columns.items() if key in files.TEXT_COLUMNS]

    def bad_rows() -> Iterator[Row]:
        for number, cells in files.rows(sheet):
            if number in problems:
                padded = [*cells[:width], *([None] * (width - len(cells)))]
                explanation = _("Row %(row)s: %(problems)s") % {
                    "row": number,
                    "problems": "；".join(problems[number]),
                }
                yield [*padded, explanation]

    return write_xlsx(
        target,
        [*sheet.header, ERROR_HEADER],
        bad_rows(),
        title="错误行",
        text_columns=text_columns,
        widths={width: 60},
    )
