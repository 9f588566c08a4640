"""Historic payments: a past period's payouts, imported from a workbook as one approved batch.

Payments made before this system kept them (the seed's 2013 awards) are recorded as they
happened: who was paid what and on which day, for a period that is over. The batch is marked
``imported_history`` and arrives approved and settled; nothing is computed from the program's
rules. An ended program accepts history (it ran then) and stays ended.

All or nothing: every row is checked first and any bad row refuses the whole file, listing
each row's problems. Importing the same rows again returns the batch made the first time;
other rows for a person already paid for the period are refused, as in any batch.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits.amounts import ONCE
from jisheng.benefits.models import Cycle, Entitlement, Payment, PaymentBatch, Program
from jisheng.benefits.services.payments import payment_spending
from jisheng.benefits.units import beneficiary_of
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.spending import record_spending
from jisheng.registry.models import Person, ResidentStatus
from jisheng.registry.selectors import lifetime
from jisheng.registry.services.persons import id_number_digest

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
MAX_AMOUNT = Decimal("1000000")
SHOWN_PROBLEMS = 200
STOP_REASON = "历史发放记录导入"

# Header cells accepted for each column (Chinese as offices write them, or English).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "id number"),
    "name": ("姓名", "name"),
    "amount": ("金额", "金额（元）", "金额(元)", "发放金额", "amount"),
    "paid_on": ("发放日期", "日期", "date paid", "paid on"),
}
TEMPLATE_HEADER = ("身份证号码", "姓名", "金额（元）", "发放日期")


class HistoryRowsRefused(JishengError):
    """The file has bad rows: nothing was imported; ``problems`` names each row's."""

    code = "invalid_rows"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("Nothing was imported: %(count)d rows have problems.") % {"count": len(problems)}
        )
        self.row_problems = problems

    @property
    def problems(self) -> list[str]:
        """The summary and the first rows' problems: a page lists no more than a person reads."""
        shown = self.row_problems[:SHOWN_PROBLEMS]
        rest = len(self.row_problems) - len(shown)
        more = [_("…and %(count)d more rows with problems.") % {"count": rest}] if rest else []
        return [str(self.message), *shown, *more]


@dataclass(frozen=True)
class HistoryRow:
    """One line of the file as written: its Excel row number and cells as text or values."""

    line: int
    id_number: str
    name: str
    amount: object
    paid_on: object


@dataclass(frozen=True)
class HistoryPeriod:
    key: str  # the payment period the lines take: "2013", "2013-05" or "once"
    label: str  # the stretch of time named by the user: "2013" or "2013-05"
    start: dt.date
    end: dt.date


def read_history_file(handle: IO[bytes]) -> list[HistoryRow]:
    """The rows of an uploaded .xlsx (first sheet, header in row 1); a clear 400 otherwise."""
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    head = handle.read(4)
    handle.seek(0)
    if head != b"PK\x03\x04":
        raise JishengError(_("Upload the payments as an Excel workbook (.xlsx)."), code="not_xlsx")
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
        try:
            cells = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    except Exception as exc:  # a damaged workbook fails in many ways; each means "unreadable"
        raise JishengError(
            _("The file could not be read as an Excel workbook (.xlsx)."), code="unreadable_file"
        ) from exc
    return history_rows(cells)


def history_rows(cells: Sequence[Sequence[object]]) -> list[HistoryRow]:
    """Rows from a sheet's cells: the header names the columns, blank rows are skipped."""
    if not cells:
        raise JishengError(_("The file is empty."), code="empty_file")
    header = [str(cell or "").strip().lower() for cell in cells[0]]
    where: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for index, text in enumerate(header):
            if text in names:
                where[key] = index
                break
    missing = [COLUMNS[key][0] for key in COLUMNS if key not in where]
    if missing:
        raise JishengError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": "、".join(missing)},
            code="missing_columns",
        )
    found: list[HistoryRow] = []
    for number, row in enumerate(cells[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue

        def cell(key: str, row: Sequence[object] = row) -> object:
            index = where[key]
            return row[index] if index < len(row) else None

        found.append(
            HistoryRow(
                line=number,
                id_number=str(cell("id_number") or "").strip(),
                name=str(cell("name") or "").strip(),
                amount=cell("amount"),
                paid_on=cell("paid_on"),
            )
        )
        if len(found) > MAX_ROWS:
            raise JishengError(
                _("A file may hold at most %(max)d rows.") % {"max": MAX_ROWS}, code="too_many_rows"
            )
    if not found:
        raise JishengError(_("The file holds no payments."), code="empty_file")
    return found


def history_period(program: Program, text: str, *, today: dt.date) -> HistoryPeriod:
    """The past period named ``text`` ("2013", or "2013-05" for a monthly program)."""
    text = text.strip()
    monthly = program.cycle == Cycle.MONTH
    pattern = r"(\d{4})-(\d{2})" if monthly else r"(\d{4})"
    match = re.fullmatch(pattern, text)
    if match is None or not 1949 <= int(match[1]) <= 2100:
        raise JishengError(
            _("Write the period like %(example)s.") % {"example": "2013-05" if monthly else "2013"},
            code="invalid_period",
        )
    year = int(match[1])
    if monthly:
        month = int(match[2])
        if not 1 <= month <= 12:
            raise JishengError(_("Write the period like %(example)s.") % {"example": "2013-05"})
        start = dt.date(year, month, 1)
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
    else:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if end >= today:
        raise JishengError(
            _("History is imported for a period that is over; %(period)s is not.")
            % {"period": text},
            code="period_not_over",
        )
    if (program.valid_from and end < program.valid_from) or (
        program.valid_to and start > program.valid_to
    ):
        raise JishengError(
            _("%(program)s did not run in %(period)s: it pays from %(start)s to %(end)s.")
            % {
                "program": program.name,
                "period": text,
                "start": program.valid_from or "—",
                "end": program.valid_to or "—",
            },
            code="period_outside_program",
        )
    key = ONCE if program.cycle == Cycle.ONCE else text
    return HistoryPeriod(key=key, label=text, start=start, end=end)


def _amount(value: object, program: Program) -> tuple[Decimal | None, str | None]:
    cash = program.benefit_kind == "cash"
    if value is None or str(value).strip() == "":
        return (None, _("the amount is missing")) if cash else (Decimal("0.00"), None)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None, _("the amount is not a number")
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        return None, _("the amount has more than two decimals")
    if not cash:
        if amount != 0:
            return None, _("%(program)s pays no money: leave the amount empty") % {
                "program": program.name
            }
        return Decimal("0.00"), None
    if amount <= 0 or amount > MAX_AMOUNT:
        return None, _("the amount must be above 0 and at most 1,000,000 yuan")
    return amount.quantize(Decimal("0.01")), None


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class _Line:
    person: Person
    spouse_id: int | None
    unit_key: str
    amount: Decimal
    paid_on: dt.date


def _checked_lines(
    actor: Actor, program: Program, period: HistoryPeriod, rows: Iterable[HistoryRow]
) -> list[_Line]:
    """Each row made a line, or every row's problems raised together."""
    rows = list(rows)
    digests = {row.line: id_number_digest(row.id_number) for row in rows if row.id_number}
    persons = {
        person.id_number_index: person
        for person in Person.objects.visible_to(actor.user)
        .filter(id_number_index__in=set(digests.values()))
        .exclude(status=ResidentStatus.VOIDED)
    }
    taken = Payment.objects.filter(
        program=program,
        period=period.key,
        kind=Payment.Kind.PAYMENT,
        status__in=(Payment.Status.PENDING, Payment.Status.PAID, Payment.Status.REVERSED),
    )
    taken_persons = set(taken.values_list("person_id", flat=True))
    taken_units = set(taken.exclude(unit_key="").values_list("unit_key", flat=True))
    problems: list[str] = []
    lines: list[_Line] = []
    seen: dict[str, int] = {}
    for row in rows:
        wrong: list[str] = []
        person = persons.get(digests.get(row.line, ""))
        if not row.id_number:
            wrong.append(_("the ID number is missing"))
        elif person is None:
            wrong.append(_("no resident in your area has this ID number"))
        elif row.name != person.name:
            wrong.append(_("the name does not match the resident with this ID number"))
        amount, amount_problem = _amount(row.amount, program)
        if amount_problem:
            wrong.append(amount_problem)
        paid_on = _date(row.paid_on)
        if paid_on is None:
            wrong.append(_("the date paid is missing or not a date (write 2013-12-20)"))
        elif not period.start <= paid_on <= period.end:
            wrong.append(_("the date paid lies outside %(period)s") % {"period": period.label})
        key, spouse_id = "", None
        if person is not None and not wrong:
            try:
                assert paid_on is not None  # noqa: S101 - checked just above
                possible_date(paid_on, lifetime(person))
                unit = beneficiary_of(program, person)
                key, spouse_id = unit.key, unit.spouse.pk if unit.spouse else None
            except JishengError as exc:
                wrong.append(str(exc.message))
        if key:
            if key in seen:
                wrong.append(_("paid twice in the file (also row %(row)d)") % {"row": seen[key]})
            elif person is not None and (person.pk in taken_persons or key in taken_units):
                wrong.append(_("already has a payment of this program for the period"))
            seen.setdefault(key, row.line)
        if wrong:
            problems.append(
                _("Row %(row)d: %(problems)s.") % {"row": row.line, "problems": "; ".join(wrong)}
            )
        elif person is not None and amount is not None and paid_on is not None:
            lines.append(
                _Line(
                    person=person, spouse_id=spouse_id, unit_key=key, amount=amount, paid_on=paid_on
                )
            )
    if problems:
        raise HistoryRowsRefused(problems)
    return lines


def _digest(program: Program, period: HistoryPeriod, rows: Iterable[HistoryRow]) -> str:
    """The rows' fingerprint, independent of row order and of how the cells were typed."""
    parts = sorted(
        f"{id_number_digest(row.id_number)}|{row.name}|{row.amount}|{_date(row.paid_on)}"
        for row in rows
    )
    text = "\n".join([str(program.pk), period.label, *parts])
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def history_import(
    *,
    actor: Actor,
    program: Program,
    period_text: str,
    rows: Sequence[HistoryRow],
    file_name: str = "",
    today: dt.date | None = None,
) -> PaymentBatch:
    """One approved, settled batch of ``program`` for a past period, marked imported history.

    Every row is checked before anything is written; a bad row refuses the whole file. The
    same rows imported again return the first batch. The program's status never changes.
    """
    require(actor, Capability.REVIEW_BENEFITS)
    require(actor, Capability.APPROVE_BENEFITS)
    street = actor.user.org_unit
    if street is None or street.is_community:
        raise Forbidden(_("History is imported by the street office."))
    today = today or timezone.localdate()
    program = Program.objects.select_for_update().get(pk=program.pk)
    period = history_period(program, period_text, today=today)
    digest = _digest(program, period, rows)
    earlier = PaymentBatch.objects.visible_to(actor.user).filter(
        program=program, import_digest=digest
    )
    if (batch := earlier.first()) is not None:
        return batch
    lines = _checked_lines(actor, program, period, rows)
    now = timezone.now()
    total = sum((line.amount for line in lines), Decimal("0.00"))
    batch = PaymentBatch.objects.create(
        program=program,
        org_unit=street,
        period=period.key,
        period_start=period.start,
        period_end=period.end,
        state=PaymentBatch.State.APPROVED,
        built_by=actor.user,
        reviewed_by=actor.user,
        reviewed_at=now,
        approved_by=actor.user,
        approved_at=now,
        approved_total=total,
        approved_count=len(lines),
        imported_history=True,
        import_digest=digest,
        import_file_name=file_name[:255],
    )
    try:
        with transaction.atomic():
            inserted = _insert(batch, program, period, lines)
    except IntegrityError:
        raise Conflict(
            _("Another batch paid some of them for this period at the same time; try again.")
        ) from None
    # Money paid then is spending of that year, recorded like any settled line.
    paid = [(p.pk, p.community_id, p.amount) for p in inserted]
    record_spending(payment_spending(batch, paid, reverses=False), actor=actor.user)
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=batch,
        detail={
            "imported_history": True,
            "period": period.label,
            "lines": len(lines),
            "total": str(total),
            "file": file_name[:100],
        },
    )
    return batch


def _insert(
    batch: PaymentBatch, program: Program, period: HistoryPeriod, lines: list[_Line]
) -> list[Payment]:
    """The batch's entitlements and paid lines; the lines come back with their ids (both
    databases return them from a bulk insert)."""
    entitlements = Entitlement.objects.bulk_create(
        [
            Entitlement(
                program=program,
                person=line.person,
                spouse_id=line.spouse_id,
                unit_key=line.unit_key,
                community_id=line.person.community_id,
                start_date=period.start,
                end_date=period.end,
                status=Entitlement.Status.STOPPED,
                stop_reason=STOP_REASON,
            )
            for line in lines
        ]
    )
    zone = timezone.get_current_timezone()
    return Payment.objects.bulk_create(
        [
            Payment(
                batch=batch,
                program=program,
                period=period.key,
                entitlement=entitlement,
                person=line.person,
                payee=line.person,
                unit_key=line.unit_key,
                community_id=line.person.community_id,
                months=0,
                amount=line.amount,
                status=Payment.Status.PAID,
                settled_by=batch.built_by,
                # Each line keeps the day it was paid, noon local time.
                settled_at=dt.datetime.combine(line.paid_on, dt.time(12), tzinfo=zone),
            )
            for line, entitlement in zip(lines, entitlements, strict=True)
        ]
    )


def history_template_rows() -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The header of a history file and one example line, for the download on the page."""
    return TEMPLATE_HEADER, [("370404198001010011", "张三", "120.00", dt.date(2013, 12, 20))]
