"""Residential complexes, partners and partner reports: a partner reports a tenant or an
employee moving in or out (form or workbook, all rows or none); the community confirms a
report (the registry event and the inflow record in one call) or rejects it with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import Lifetime, possible_date
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.idnumber import (
    birth_date_from_id,
    mask_id_number,
    sex_from_id,
    validate_id_number,
)
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability, Role
from jisheng.core.uploads import spooled
from jisheng.migrants.models import (
    MigrantRecord,
    MoveKind,
    Partner,
    PartnerKind,
    PartnerReport,
    ReportKind,
    ReportState,
    ResidentialComplex,
)
from jisheng.migrants.regions import region_check
from jisheng.migrants.services import records
from jisheng.registry.imports import files
from jisheng.registry.models import HukouType, Person, ResidentStatus
from jisheng.registry.services.persons import (
    PHONE_PATTERN,
    PHONE_SEPARATORS,
    PersonData,
    id_number_digest,
    require_editable_community,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_ROWS = 1000
# The workbook's own columns beside the resident's (registry.imports.files reads those).
KIND_HEADERS = ("类型", "变动类型")
DATE_HEADERS = ("日期", "变动日期", "入住或迁出日期")
EMPLOYER_HEADERS = ("工作单位", "用工单位")
KIND_VALUES = {
    "入住": ReportKind.MOVE_IN,
    "迁入": ReportKind.MOVE_IN,
    "入职": ReportKind.MOVE_IN,
    "迁出": ReportKind.MOVE_OUT,
    "搬离": ReportKind.MOVE_OUT,
    "离职": ReportKind.MOVE_OUT,
}
TEMPLATE_HEADERS = (
    "类型",
    "姓名",
    "性别",
    "出生日期",
    "身份证号码",
    "联系电话",
    "户口性质",
    "户籍地",
    "现住址",
    "工作单位",
    "日期",
)


TEMPLATE_NOTES = (
    ("类型", "必填：入住 或 迁出（入职、离职亦可）。"),
    ("姓名、身份证号码", "必填；身份证号码请按文本填写。"),
    ("性别、出生日期", "可按身份证号码填写。"),
    ("户口性质、户籍地、现住址", "入住时必填：城镇 或 农村；户籍地为 6 位行政区划代码。"),
    ("日期", "必填：入住或迁出的日期，如 2026-03-05。"),
    ("说明", "有一行填写有误时整个文件都不会导入，并列出每一行的问题；重复上传不会重复报告。"),
)


class ReportsRefused(JishengError):
    """The report (or a row of the workbook) has problems: nothing was saved."""

    code = "invalid_report"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self._problems = problems

    @property
    def problems(self) -> list[str]:
        return self._problems


@dataclass
class ReportData:
    """One partner report as typed in the form or read from a row."""

    kind: str
    name: str
    id_number: str
    moved_on: dt.date | None
    sex: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    hukou_type: str = ""
    region_code: str = ""
    address: str = ""
    employer: str = ""
    note: str = ""


def report_problems(data: ReportData, *, today: dt.date) -> list[str]:
    """Every problem with ``data`` as Chinese sentences (empty: fine). Normalises in place."""
    problems: list[str] = []
    if data.kind not in ReportKind.values:
        problems.append(_("Say whether the person moved in or moved out."))
    data.name = data.name.strip()
    if not data.name or len(data.name) > 50:
        problems.append(_("Name is required, at most 50 characters."))
    try:
        data.id_number = validate_id_number(data.id_number, today=today)
    except ValidationError as exc:
        problems.extend(str(m) for m in exc.messages)
    else:
        data.birth_date = data.birth_date or birth_date_from_id(data.id_number)
        data.sex = data.sex or sex_from_id(data.id_number)
    if data.moved_on is None:
        problems.append(_("The date of the move is missing or not a date."))
    else:
        lives = [Lifetime(data.name, data.birth_date)] if data.birth_date else []
        try:
            possible_date(data.moved_on, *lives)
        except JishengError as exc:
            problems.append(str(exc.message))
    data.phone = PHONE_SEPARATORS.sub("", data.phone or "")
    if data.phone and not PHONE_PATTERN.match(data.phone):
        problems.append(_("Phone is not a valid mobile or landline number."))
    for value, limit in ((data.address, 200), (data.employer, 100), (data.note, 200)):
        if len(value) > limit:
            problems.append(_("A text is longer than %(limit)d characters.") % {"limit": limit})
    if data.kind == ReportKind.MOVE_IN:
        try:
            data.region_code = region_check(data.region_code)
        except JishengError as exc:
            problems.append(str(exc.message))
        if data.hukou_type not in HukouType.values:
            problems.append(_("Hukou type must be urban or rural."))
        if not data.address.strip():
            problems.append(_("Give the address where the person lives."))
    return problems


def partner_of(actor: Actor) -> Partner:
    """The partner the actor's account reports for (403 when it reports for none)."""
    require(actor, Capability.REPORT_AS_PARTNER)
    partner = Partner.objects.filter(account=actor.user).first()
    if partner is None:
        raise Forbidden(_("Your account is not linked to a partner yet: ask the community office."))
    return partner


def _same_pending(partner: Partner, data: ReportData) -> PartnerReport | None:
    """The partner's pending report of the same move, if it was sent before (a second submit)."""
    if data.moved_on is None:
        return None
    for report in PartnerReport.objects.filter(
        partner=partner,
        kind=data.kind,
        moved_on=data.moved_on,
        state=ReportState.PENDING,
        id_number_masked=mask_id_number(data.id_number),
    ):
        if report.id_number == data.id_number:
            return report
    return None


def _save(actor: Actor, partner: Partner, data: ReportData) -> PartnerReport:
    earlier = _same_pending(partner, data)
    if earlier is not None:
        return earlier
    assert data.moved_on is not None  # noqa: S101 - report_problems refused a missing date
    report = PartnerReport.objects.create(
        partner=partner,
        community=partner.community,
        complex=partner.complex,
        kind=data.kind,
        name=data.name,
        sex=data.sex,
        birth_date=data.birth_date,
        id_number=data.id_number,
        id_number_masked=mask_id_number(data.id_number),
        phone=data.phone,
        hukou_type=data.hukou_type,
        region_code=data.region_code,
        address=data.address.strip(),
        employer=data.employer.strip(),
        moved_on=data.moved_on,
        note=data.note.strip(),
        reported_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=report, detail={"kind": report.kind})
    return report


@transaction.atomic
def report_submit(*, actor: Actor, data: ReportData) -> PartnerReport:
    """One report from the form; the same move sent again returns the first report."""
    partner = partner_of(actor)
    problems = report_problems(data, today=timezone.localdate())
    if problems:
        raise ReportsRefused(problems)
    return _save(actor, partner, data)


def _column(header: tuple[str, ...], names: tuple[str, ...]) -> int:
    for index, text in enumerate(header):
        if files.header_key(text) is None and text.replace(" ", "") in names:
            return index
    return -1


def read_report_rows(path: Path, file_name: str) -> list[tuple[int, ReportData]]:
    """Each data row of a workbook as (row number, data), with the cell problems noted."""
    sheet = files.open_sheet(path, file_name)
    kind_at = _column(sheet.header, KIND_HEADERS)
    date_at = _column(sheet.header, DATE_HEADERS)
    employer_at = _column(sheet.header, EMPLOYER_HEADERS)
    if kind_at < 0 or date_at < 0:
        raise files.ImportFileError(
            _("The first row must name the columns 类型 and 日期: download the template."),
            code="missing_columns",
        )
    parse = files.RowParser(sheet.columns)
    found: list[tuple[int, ReportData]] = []
    for number, cells in files.rows(sheet):
        if len(found) >= MAX_UPLOAD_ROWS:
            raise files.ImportFileError(
                _("A file may hold at most %(count)d reports.") % {"count": MAX_UPLOAD_ROWS},
                code="too_many_rows",
            )
        row = parse(number, cells)

        def cell(at: int, cells: tuple[object, ...] = tuple(cells)) -> object:
            return cells[at] if 0 <= at < len(cells) else None

        person: PersonData = row.data
        data = ReportData(
            kind=KIND_VALUES.get(files.text_of(cell(kind_at)), ""),
            name=person.name,
            id_number=person.id_number,
            moved_on=files.parse_date(cell(date_at)),
            sex=person.sex if person.sex in {"M", "F"} else "",
            birth_date=person.birth_date,
            phone=person.phone,
            hukou_type=person.hukou_type,
            region_code=person.hukou_division,
            address=person.address,
            employer=files.text_of(cell(employer_at)),
        )
        found.append((number, data))
        data.note = "；".join(person.problems)  # cell problems, reported with the row's own
    return found


@transaction.atomic
def reports_upload(*, actor: Actor, upload: UploadedFile[bytes]) -> list[PartnerReport]:
    """Every row of the workbook as a report, or none: a bad row refuses the whole file and
    each bad row is named. Rows already reported (the same file sent again) are not doubled."""
    partner = partner_of(actor)
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise JishengError(_("The file is larger than 5 MB."), code="invalid_file")
    with spooled(upload) as path:
        rows = read_report_rows(path, upload.name or "reports.xlsx")
    if not rows:
        raise JishengError(_("The file holds no reports."), code="empty_file")
    today = timezone.localdate()
    problems: list[str] = []
    for number, data in rows:
        cell_problems, data.note = ([data.note] if data.note else []), ""
        found = cell_problems + report_problems(data, today=today)
        if found:
            problems.append(
                _("Row %(row)d: %(problems)s") % {"row": number, "problems": "；".join(found)}
            )
    if problems:
        raise ReportsRefused(problems)
    return [_save(actor, partner, data) for _number, data in rows]


def _decided(report: PartnerReport, actor: Actor, state: str) -> None:
    report.state, report.decided_by, report.decided_at = state, actor.user, timezone.now()


def _pending(actor: Actor, report: PartnerReport) -> PartnerReport:
    found = locked_or_404(PartnerReport, user=actor.user, pk=report.pk)
    require_editable_community(actor, found.community)
    if found.state != ReportState.PENDING:
        raise Conflict(_("This report has already been decided."), code="report_decided")
    return found


def _resident(actor: Actor, id_number: str) -> Person | None:
    return (
        Person.objects.visible_to(actor.user)
        .filter(id_number_index=id_number_digest(id_number))
        .exclude(status=ResidentStatus.VOIDED)
        .first()
    )


@transaction.atomic
def report_confirm(*, actor: Actor, report: PartnerReport) -> PartnerReport:
    """Take the report in: a move-in opens the inflow record with the registry's move-in
    event; a move-out ends the person's open inflow record with the move-out event."""
    found = _pending(actor, report)
    person = _resident(actor, found.id_number)
    if found.kind == ReportKind.MOVE_IN:
        data = None
        if person is None:
            data = PersonData(
                name=found.name,
                sex=found.sex,
                birth_date=found.birth_date,
                id_number=found.id_number,
                phone=found.phone or "",
                hukou_type=found.hukou_type,
                hukou_division=found.region_code,
                address=found.address or "",
            )
        record = records.inflow_open(
            actor=actor,
            community=found.community,
            moved_on=found.moved_on,
            region_code=found.region_code,
            address=found.address,
            contact=found.phone or "",
            person=person,
            data=data,
            complex_=found.complex,
            landlord=found.partner if found.partner.kind == PartnerKind.LANDLORD else None,
            employer=found.employer
            or (found.partner.name if found.partner.kind == PartnerKind.EMPLOYER else ""),
        )
    else:
        open_record = (
            MigrantRecord.objects.visible_to(actor.user)
            .filter(person=person, kind=MoveKind.INFLOW, ended_on__isnull=True)
            .first()
            if person is not None
            else None
        )
        if open_record is None:
            raise Conflict(
                _("No open inflow record of this person: reject the report with a reason."),
                code="no_open_record",
            )
        record = records.record_end(actor=actor, record=open_record, ended_on=found.moved_on)
    found.record = record
    _decided(found, actor, ReportState.CONFIRMED)
    found.save(update_fields=["record", "state", "decided_by", "decided_at"])
    audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"state": found.state})
    return found


@transaction.atomic
def report_reject(*, actor: Actor, report: PartnerReport, reason: str) -> PartnerReport:
    """Refuse the report; the partner reads ``reason``."""
    found = _pending(actor, report)
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise JishengError(
            _("Give the reason for the partner (at most 200 characters)."), code="invalid_reason"
        )
    found.reason = reason
    _decided(found, actor, ReportState.REJECTED)
    found.save(update_fields=["reason", "state", "decided_by", "decided_at"])
    audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"state": found.state})
    return found


@transaction.atomic
def complex_create(
    *,
    actor: Actor,
    community: OrgUnit,
    name: str,
    address: str,
    property_company: Partner | None = None,
) -> ResidentialComplex:
    """A residential complex of a community in the actor's area."""
    require_editable_community(actor, community)
    name, address = name.strip(), address.strip()
    if not name or len(name) > 100 or not address or len(address) > 200:
        raise JishengError(
            _("Give the name (at most 100 characters) and the address (at most 200)."),
            code="invalid_input",
        )
    if property_company is not None:
        property_company = visible_or_404(Partner, user=actor.user, pk=property_company.pk)
        if property_company.kind != PartnerKind.PROPERTY:
            raise JishengError(
                _("Choose a property company as the property company."), code="invalid_partner"
            )
    try:
        with transaction.atomic():
            found = ResidentialComplex.objects.create(
                community=community,
                name=name,
                address=address,
                property_company=property_company,
                created_by=actor.user,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The community already has a complex of this name."), code="duplicate_complex"
        ) from exc
    audit.record(action=Action.CREATE, actor=actor, obj=found)
    return found


def linkable_accounts(actor: Actor) -> list[User]:
    """Partner reporter accounts of the actor's area not yet linked to a partner."""
    return list(
        User.objects.filter(
            roles__role=Role.PARTNER_REPORTER,
            org_unit_id__in=actor.user.scope_unit_ids(),
            migrant_partner__isnull=True,
            is_active=True,
        ).order_by("username")
    )


@transaction.atomic
def partner_create(
    *,
    actor: Actor,
    kind: str,
    name: str,
    community: OrgUnit,
    complex_: ResidentialComplex | None = None,
    contact: str = "",
    account: User | None = None,
) -> Partner:
    """A partner of a community; its account (a partner reporter of the area) reports for it."""
    require_editable_community(actor, community)
    name, contact = name.strip(), contact.strip()
    if kind not in PartnerKind.values or not name or len(name) > 100 or len(contact) > 100:
        raise JishengError(
            _("Give the kind and the name (at most 100 characters)."), code="invalid_input"
        )
    if complex_ is not None:
        complex_ = visible_or_404(ResidentialComplex, user=actor.user, pk=complex_.pk)
        if complex_.community_id != community.pk:
            raise JishengError(
                _("The residential complex lies in another community."), code="invalid_complex"
            )
    if account is not None and account.pk not in {a.pk for a in linkable_accounts(actor)}:
        raise JishengError(
            _("Choose a partner reporter account of your area not linked to another partner."),
            code="invalid_account",
        )
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                kind=kind,
                name=name,
                community=community,
                complex=complex_,
                contact=contact,
                account=account,
                created_by=actor.user,
            )
    except IntegrityError as exc:  # the account was linked by a concurrent request
        raise Conflict(_("This account already reports for a partner."), code="linked") from exc
    audit.record(action=Action.CREATE, actor=actor, obj=partner, detail={"kind": kind})
    return partner


def write_report_template(target: IO[bytes]) -> None:
    """The workbook partners fill in: one row per person moving in or out."""
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "变动报告"
    sheet.append(list(TEMPLATE_HEADERS))
    for index in range(1, len(TEMPLATE_HEADERS) + 1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 16
        sheet.column_dimensions[letter].number_format = "@"
    notes = workbook.create_sheet("填写说明")
    for row in TEMPLATE_NOTES:
        notes.append(list(row))
    notes.column_dimensions["B"].width = 80
    workbook.save(target)
