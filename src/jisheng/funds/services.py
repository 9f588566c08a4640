"""Writes of the funds ledger: the year's budget, the spending other modules hand over, and
vouchers for what has no record of its own. Entries are only ever appended."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.spending import Spending, SpendingCategory
from jisheng.core.uploads import DOCUMENT_SUFFIXES, check_upload
from jisheng.funds.categories import categories_ensure
from jisheng.funds.models import BudgetLine, Category, Entry, Level, Voucher

LIMIT = Decimal(10) ** 10
CENT = Decimal("0.01")
FIRST_YEAR = 2000
VOUCHER_SOURCE = "funds.voucher"


def money(value: Decimal | str | int | float, *, positive: bool = False) -> Decimal:
    """An amount in yuan: at least 0 (above 0 when ``positive``), below 10^10, two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise JishengError(_("The amount must be a number of yuan."), code="amount") from None
    if not amount.is_finite():
        raise JishengError(_("The amount must be a number of yuan."), code="amount")
    if amount < 0 or (positive and amount == 0):
        raise JishengError(
            _("The amount must be above zero.")
            if positive
            else _("The amount cannot be negative."),
            code="amount",
        )
    if amount >= LIMIT:
        raise JishengError(_("The amount must be below 10,000,000,000 yuan."), code="amount")
    if amount != amount.quantize(CENT):
        raise JishengError(_("The amount has at most two decimals (fen)."), code="amount")
    return amount.quantize(CENT)


def _year(year: int, today: dt.date) -> int:
    if not FIRST_YEAR <= year <= today.year + 1:
        raise JishengError(
            _("The year must lie between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": today.year + 1},
            code="year",
        )
    return year


def _unit_for_level(actor: Actor, org_unit: OrgUnit, level: str) -> OrgUnit:
    """The unit, in the actor's area, of a kind that can hold a line of ``level``."""
    unit = visible_or_404(OrgUnit, user=actor.user, pk=org_unit.pk)
    if level not in Level.values:
        raise JishengError(_("Choose a funding level."), code="level")
    if (level == Level.COMMUNITY) != unit.is_community:
        raise JishengError(
            _("Community funds belong to a community; other levels to the street."), code="unit"
        )
    return unit


@transaction.atomic
def budget_set(
    *,
    actor: Actor,
    year: int,
    level: str,
    category: Category,
    org_unit: OrgUnit,
    amount: Decimal | str,
    note: str = "",
    today: dt.date | None = None,
) -> BudgetLine:
    """Enter or change the budget of one line (year × level × category × unit); audited."""
    require(actor, Capability.MANAGE_FUNDS)
    year = _year(year, today or timezone.localdate())
    unit = _unit_for_level(actor, org_unit, level)
    value = money(amount)
    line = (
        BudgetLine.objects.select_for_update()
        .filter(year=year, level=level, category=category, org_unit=unit)
        .first()
    )
    if line is None:
        line = BudgetLine.objects.create(
            year=year,
            level=level,
            category=category,
            org_unit=unit,
            amount=value,
            note=note.strip()[:200],
            updated_by=actor.user,
        )
        audit.record(action=Action.CREATE, actor=actor, obj=line, detail={"amount": str(value)})
        return line
    before = line.amount
    line.amount, line.note, line.updated_by = value, note.strip()[:200], actor.user
    line.save(update_fields=["amount", "note", "updated_by", "updated_at"])
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=line,
        detail={"amount": str(value), "before": str(before)},
    )
    return line


@transaction.atomic
def budget_update(
    *, actor: Actor, line: BudgetLine, amount: Decimal | str, note: str = ""
) -> BudgetLine:
    """Change the amount of an existing line in the actor's area."""
    require(actor, Capability.MANAGE_FUNDS)
    found = locked_or_404(BudgetLine, user=actor.user, pk=line.pk)
    return budget_set(
        actor=actor,
        year=found.year,
        level=found.level,
        category=found.category,
        org_unit=found.org_unit,
        amount=amount,
        note=note,
        today=dt.date(found.year, 1, 1),
    )


# ------------------------------------------------------------------------- the ledger


class _Lines:
    """Budget lines looked up once per receive: the unit's own, else the nearest enclosing
    unit's (a community's spending falls on the street's line when it has none)."""

    def __init__(self) -> None:
        self.paths: dict[int, str] = {}
        self.found: dict[tuple[int, str, int, int], BudgetLine | None] = {}

    def line(self, year: int, level: str, category_id: int, unit_id: int) -> BudgetLine | None:
        key = (year, level, category_id, unit_id)
        if key not in self.found:
            if unit_id not in self.paths:
                self.paths[unit_id] = OrgUnit.objects.values_list("path", flat=True).get(pk=unit_id)
            codes = [code for code in self.paths[unit_id].split("/") if code]
            candidates = (
                BudgetLine.objects.select_for_update()
                .filter(year=year, level=level, category_id=category_id, org_unit__code__in=codes)
                .select_related("org_unit")
            )
            self.found[key] = max(candidates, key=lambda c: len(c.org_unit.path), default=None)
        return self.found[key]


def receive(entries: Sequence[Spending], *, actor: User) -> None:
    """The ledger's side of ``core.spending``: each spending recorded once, on its line.

    A spending already recorded (same source, id, level and direction) is skipped, so a
    source that hands it over twice is counted once. No line: recorded, flagged by having
    none. Beyond the line's budget: recorded, flagged ``over_budget``.
    """
    with transaction.atomic():
        categories = categories_ensure()
        fallback = categories.get(SpendingCategory.OTHER)
        recorded: set[tuple[str, int, str, bool]] = set()
        for source in {e.source for e in entries}:
            ids = [e.source_id for e in entries if e.source == source]
            for start in range(0, len(ids), 5000):
                recorded.update(
                    (source, *row)
                    for row in Entry.objects.filter(
                        source=source, source_id__in=ids[start : start + 5000]
                    ).values_list("source_id", "level", "reverses")
                )
        lines = _Lines()
        spent: dict[int, Decimal] = {}
        rows: list[Entry] = []
        for spending in entries:
            key = (spending.source, spending.source_id, spending.level, spending.reverses)
            if key in recorded:
                continue
            recorded.add(key)
            category_id = categories.get(spending.category, fallback)
            if category_id is None:
                raise JishengError(_("The spending categories are missing."), code="categories")
            year = spending.day.year
            line = lines.line(year, spending.level, category_id, spending.org_unit_id)
            over = False
            if line is not None:
                if line.pk not in spent:
                    spent[line.pk] = Entry.objects.filter(budget_line=line).aggregate(
                        total=Sum("amount")
                    )["total"] or Decimal(0)
                spent[line.pk] += spending.amount
                over = spending.amount > 0 and spent[line.pk] > line.amount
            rows.append(
                Entry(
                    source=spending.source[:40],
                    source_id=spending.source_id,
                    level=spending.level,
                    category_id=category_id,
                    org_unit_id=spending.org_unit_id,
                    day=spending.day,
                    year=year,
                    amount=spending.amount,
                    description=spending.description[:300],
                    reverses=spending.reverses,
                    budget_line=line,
                    over_budget=over,
                    record_view=spending.record_view[:60],
                    record_id=spending.record_id,
                    recorded_by=actor,
                )
            )
        # A parallel transaction recording the same spending: the database keeps one.
        Entry.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


# ------------------------------------------------------------------------- vouchers


def _stored_name(upload: UploadedFile[bytes]) -> str:
    """A random file name: the uploaded one may carry names into the file system."""
    return f"{secrets.token_hex(12)}{PurePath((upload.name or '').lower()).suffix}"


def _voucher_spending(voucher: Voucher, *, reverses: bool) -> Spending:
    return Spending(
        source=VOUCHER_SOURCE,
        source_id=voucher.pk,
        amount=-voucher.amount if reverses else voucher.amount,
        day=voucher.day,
        category=voucher.category.code,
        level=voucher.level,
        org_unit_id=voucher.org_unit_id,
        description=voucher.description,
        reverses=reverses,
        record_view="funds:voucher_detail",
        record_id=voucher.pk,
    )


@transaction.atomic
def voucher_create(
    *,
    actor: Actor,
    day: dt.date,
    category: Category,
    level: str,
    org_unit: OrgUnit,
    amount: Decimal | str,
    description: str,
    attachment: UploadedFile[bytes] | None = None,
    summary: bool = False,
    today: dt.date | None = None,
) -> Voucher:
    """Record money spent that no other record holds; its entry goes on the ledger at once.

    The attachment (a scan: PDF, JPEG or PNG, at most 10 MB) is required and checked by its
    content; only a summary voucher (standing for spending kept elsewhere) goes without.
    """
    require(actor, Capability.MANAGE_FUNDS)
    today = today or timezone.localdate()
    if day > today:
        raise JishengError(_("A voucher cannot be dated in the future."), code="date")
    _year(day.year, today)
    unit = _unit_for_level(actor, org_unit, level)
    value = money(amount, positive=True)
    description = description.strip()
    if not description:
        raise JishengError(_("Say what the money was spent on."), code="description")
    if attachment is None and not summary:
        raise JishengError(
            _("Attach the receipt or document (PDF, JPEG or PNG)."), code="attachment"
        )
    if attachment is not None:
        check_upload(attachment, allowed=DOCUMENT_SUFFIXES)
        attachment.name = _stored_name(attachment)
    voucher = Voucher.objects.create(
        day=day,
        category=category,
        level=level,
        org_unit=unit,
        amount=value,
        description=description[:300],
        summary=summary,
        recorded_by=actor.user,
        **({"attachment": attachment} if attachment is not None else {}),
    )
    receive([_voucher_spending(voucher, reverses=False)], actor=actor.user)
    audit.record(action=Action.CREATE, actor=actor, obj=voucher, detail={"amount": str(value)})
    return voucher


@transaction.atomic
def voucher_reverse(*, actor: Actor, voucher: Voucher, reason: str) -> Voucher:
    """Cancel a wrong voucher by a negative entry; the voucher stays, marked reversed."""
    require(actor, Capability.MANAGE_FUNDS)
    found = locked_or_404(
        Voucher.objects.select_related("category"), user=actor.user, pk=voucher.pk
    )
    reason = reason.strip()
    if not reason:
        raise JishengError(_("Give the reason for the reversal."), code="reason")
    if found.is_reversed:
        raise Conflict(_("This voucher has already been reversed."), code="already_reversed")
    found.reversed_reason = reason[:300]
    found.reversed_by = actor.user
    found.reversed_at = timezone.now()
    found.save(update_fields=["reversed_reason", "reversed_by", "reversed_at"])
    receive([_voucher_spending(found, reverses=True)], actor=actor.user)
    audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"reversed": True})
    return found
