"""Terminations at 14 weeks or more (中期以上引产): the street's review of those without a
medical reason, and hospitals' monthly lists imported whole.

An import is all or nothing: every row is checked first and any bad row refuses the file,
naming each bad row; the same file again (same hospital, same bytes) returns the first
import and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.lookups import locked_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.governance.models import (
    TERMINATION_REVIEW_WEEKS,
    ReviewState,
    Termination,
    TerminationImport,
    TerminationSource,
)
from jisheng.registry.imports import files
from jisheng.registry.models import Person, Sex
from jisheng.registry.services.persons import id_number_digest

MAX_ROWS = 5_000
SHOWN_PROBLEMS = 200
COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号码", "身份证号", "公民身份号码"),
    "name": ("姓名",),
    "performed_on": ("引产日期", "手术日期", "日期"),
    "weeks": ("孕周", "孕周数"),
    "medical_reason": ("医学原因", "医学指征"),
    "certificate": ("证明编号", "医学证明编号", "证明号"),
}
REQUIRED = ("id_number", "name", "performed_on", "weeks", "certificate")
TEMPLATE_HEADER = ("身份证号码", "姓名", "引产日期", "孕周", "医学原因", "证明编号")


def template_rows() -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The header of a hospital's list and one example line, for the download on the page."""
    return TEMPLATE_HEADER, [
        ("11010119900307002X", "张某", dt.date(2026, 11, 3), 16, "胎儿严重畸形", "ZM-2026-0001")
    ]


class RowsRefused(JishengError):
    """The list has bad rows: nothing was imported; each bad row is named."""

    code = "invalid_rows"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("Nothing was imported: %(count)d rows have problems.") % {"count": len(problems)}
        )
        self.row_problems = problems

    @property
    def problems(self) -> list[str]:
        shown = self.row_problems[:SHOWN_PROBLEMS]
        rest = len(self.row_problems) - len(shown)
        more = [_("…and %(count)d more rows with problems.") % {"count": rest}] if rest else []
        return [str(self.message), *shown, *more]


def _street_or_above(actor: Actor) -> OrgUnit:
    """The street or district the actor works for (communities do not review or import)."""
    require(actor, Capability.VIEW_HEALTH)
    unit = actor.user.org_unit
    if unit is None or unit.kind not in (OrgUnit.Kind.STREET, OrgUnit.Kind.DISTRICT):
        raise Forbidden(_("Only the street or the district does this."))
    return unit


@transaction.atomic
def termination_review(*, actor: Actor, termination: Termination, note: str) -> Termination:
    """The street's finding on a termination without a medical reason; it leaves the list."""
    _street_or_above(actor)
    found = locked_or_404(Termination, user=actor.user, pk=termination.pk)
    if found.review != ReviewState.PENDING:
        raise Conflict(_("This termination is not awaiting review."), code="not_pending")
    if not note.strip():
        raise JishengError(_("Write what the review found."), code="missing_note")
    found.review, found.review_note = ReviewState.REVIEWED, note.strip()
    found.reviewed_by, found.reviewed_at = actor.user, timezone.now()
    found.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
    audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"review": found.review})
    return found


@dataclass(frozen=True)
class _Row:
    woman: Person
    performed_on: dt.date
    weeks: int
    medical_reason: str
    certificate: str


def _columns(header: tuple[str, ...]) -> dict[str, int]:
    where: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for index, text in enumerate(header):
            if text in names and key not in where:
                where[key] = index
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in where]
    if missing:
        raise files.ImportFileError(
            _("The first row must name the columns; missing: %(missing)s.")
            % {"missing": "、".join(missing)},
            code="missing_columns",
        )
    return where


def _check_row(
    actor: Actor,
    line: int,
    cells: files.Cells,
    where: dict[str, int],
    institution: str,
    seen: set[str],
    today: dt.date,
) -> tuple[_Row | None, list[str]]:
    def cell(key: str) -> str:
        index = where.get(key)
        return files.text_of(cells[index]) if index is not None and index < len(cells) else ""

    problems: list[str] = []
    id_number, name = cell("id_number").upper(), cell("name")
    woman = (
        Person.objects.visible_to(actor.user)
        .filter(id_number_index=id_number_digest(id_number))
        .first()
        if id_number
        else None
    )
    if woman is None:
        problems.append(_("no resident of your area has this ID number"))
    elif woman.sex != Sex.FEMALE:
        problems.append(_("the ID number is not a woman's"))
    elif name and woman.name != name:
        problems.append(_("the name does not match the resident's"))
    index = where["performed_on"]
    performed_on = files.parse_date(cells[index] if index < len(cells) else None)
    if performed_on is None or performed_on > today or performed_on.year < 1900:
        problems.append(_("the date is missing, not a date or in the future"))
    weeks_text = cell("weeks")
    weeks = int(weeks_text) if weeks_text.isdecimal() else None
    if weeks is None or not TERMINATION_REVIEW_WEEKS <= weeks <= 45:
        problems.append(_("the weeks of pregnancy must be a number from 14 to 45"))
    certificate = cell("certificate")
    if not certificate or len(certificate) > 50:
        problems.append(_("the certificate reference is missing or too long"))
    elif certificate in seen:
        problems.append(_("the certificate reference appears twice in the file"))
    elif Termination.objects.filter(institution=institution, certificate=certificate).exists():
        problems.append(_("the certificate is already recorded"))
    seen.add(certificate)
    reason = cell("medical_reason")
    if len(reason) > 500:
        problems.append(_("the medical reason is longer than 500 characters"))
    if problems or woman is None or performed_on is None or weeks is None:
        return None, [
            _("Row %(line)d: %(problems)s.") % {"line": line, "problems": "；".join(problems)}
        ]
    return _Row(woman, performed_on, weeks, reason, certificate), []


@transaction.atomic
def termination_import(
    *, actor: Actor, institution: str, file_name: str, path: Path
) -> TerminationImport:
    """Import a hospital's monthly list whole, or nothing; the same list again returns the
    first import."""
    unit = _street_or_above(actor)
    institution = institution.strip()
    if not institution:
        raise JishengError(_("Name the hospital the list comes from."), code="missing_institution")
    digest = hashlib.sha256(institution.encode() + b"\0" + path.read_bytes()).hexdigest()
    done = TerminationImport.objects.filter(unit=unit, digest=digest).first()
    if done is not None:
        return done
    sheet, header = files.open_table(path, file_name)
    where = _columns(header)
    today = timezone.localdate()
    checked: list[_Row] = []
    problems: list[str] = []
    seen: set[str] = set()
    for count, (line, cells) in enumerate(files.rows(sheet), start=1):
        if count > MAX_ROWS:
            raise files.ImportFileError(
                _("A file may hold at most %(max)d rows.") % {"max": MAX_ROWS},
                code="too_many_rows",
            )
        row, row_problems = _check_row(actor, line, cells, where, institution, seen, today)
        problems += row_problems
        if row is not None:
            checked.append(row)
    if problems:
        raise RowsRefused(problems)
    if not checked:
        raise files.ImportFileError(_("The file holds no terminations."), code="empty_file")
    batch = TerminationImport.objects.create(
        unit=unit,
        institution=institution,
        file_name=file_name[:255],
        digest=digest,
        row_count=len(checked),
        imported_by=actor.user,
    )
    for row in checked:
        termination = Termination.objects.create(
            woman=row.woman,
            community_id=row.woman.community_id,
            performed_on=row.performed_on,
            weeks=str(row.weeks),
            medical_reason=row.medical_reason,
            institution=institution,
            certificate=row.certificate,
            source=TerminationSource.HOSPITAL_LIST,
            imported_in=batch,
            review=ReviewState.NOT_NEEDED if row.medical_reason else ReviewState.PENDING,
            recorded_by=actor.user,
        )
        audit.record(
            action=Action.CREATE, actor=actor, obj=termination, detail={"import": batch.pk}
        )
    audit.record(action=Action.CREATE, actor=actor, obj=batch, detail={"rows": len(checked)})
    return batch
