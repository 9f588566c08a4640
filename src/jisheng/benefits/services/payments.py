"""Payment batches: build from enrolled beneficiaries, review, approve (locks), settle, reverse.

Nobody is paid twice for one program and period, and a couple or household is paid once (one
line per beneficiary unit, ``unit_key``): the build skips whoever already has a
pending, paid or reversed line, builds of one program take turns on the program's row lock,
and the database's unique constraints refuse anything that slips past both.

A reversal does not free the period. Paying a reversed person again is a *correction*:
``batch_correction_build`` makes a draft correction batch (its reason kept on the batch, its
line naming the reversed payment in ``corrects``) that goes through the same review and
approval by a second person as any batch before anything is paid. An ordinary build never
pays a reversed person again (the constraint ``benefits_built_once_per_period`` holds it in
the database too), and each reversed payment is corrected at most once; a correction that
fails at the bank may be tried again, a correction that is itself reversed is corrected in turn.
Totals therefore count a person once per period: paid − reversed + corrected.

Pages build in the background (``batch_build_start`` queues ``batch_build_run`` on the task
worker, with a progress bar); the API and scripts may still call ``batch_build`` directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits.amounts import ONCE, Period, period_amount, period_for
from jisheng.benefits.eligibility import CompiledRule, compile_rule, grouped_ids
from jisheng.benefits.models import Entitlement, Payment, PaymentBatch, Program
from jisheng.benefits.models.payments import BATCH_BUILD_KIND
from jisheng.benefits.models.programs import period_label
from jisheng.benefits.units import unit_key
from jisheng.core import progress
from jisheng.core.actors import Actor
from jisheng.core.db import insert_rows
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit, TaskProgress
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.spending import Spending, SpendingCategory, by_shares, record_spending
from jisheng.registry.models import Person

_LIVE = (Payment.Status.PENDING, Payment.Status.PAID)
# Lines that take a person's place for a period: a failed line frees it, a reversed one not.
_TAKEN = (*_LIVE, Payment.Status.REVERSED)


def _as_of_dates(program: Program, period: Period, today: dt.date) -> list[dt.date]:
    """The days eligibility is tested on: every month end of the period, or today for one-offs."""
    if period.key == ONCE:
        return [today]
    dates = period.month_ends()
    if program.valid_from:
        dates = [day if day >= program.valid_from else dt.date.min for day in dates]
    if program.valid_to:
        dates = [day if day <= program.valid_to else dt.date.min for day in dates]
    return dates


def _month_codes(
    program: Program, entitled: QuerySet[Entitlement], dates: Sequence[dt.date]
) -> dict[int, list[int]]:
    """Per person: for each test day, -1 (not eligible), 0 (base amount) or tier number.

    One query for all beneficiaries and all days: a CASE per day over the compiled rule,
    the children facts of every day counted over one join of child links.
    """
    compiled: list[CompiledRule] = []
    codes: dict[str, Any] = {}
    for index, day in enumerate(dates):
        if day == dt.date.min:  # outside the program's validity
            codes[f"m{index}"] = Value(-1, output_field=IntegerField())
            continue
        rule = compile_rule(program.rule, day)
        tiers = [compile_rule(tier["rule"], day) for tier in program.amount_tiers]
        compiled += [rule, *tiers]
        whens = [
            When(rule.condition & tier.condition, then=Value(number))
            for number, tier in enumerate(tiers, start=1)
        ]
        codes[f"m{index}"] = Case(
            *whens,
            When(rule.condition, then=Value(0)),
            default=Value(-1),
            output_field=IntegerField(),
        )
    beneficiaries = grouped_ids(
        Person.objects.filter(pk__in=entitled.values("person_id")), *compiled
    )
    rows = beneficiaries.annotate(**codes).values_list("pk", *codes)
    return {row[0]: list(row[1:]) for row in rows.iterator(chunk_size=5000)}


def _bounded(
    codes: list[int], dates: Sequence[dt.date], start: dt.date, end: dt.date | None
) -> list[int]:
    """Codes outside the entitlement's own dates count as not eligible."""
    return [
        code if day != dt.date.min and start <= day and (end is None or day <= end) else -1
        for code, day in zip(codes, dates, strict=True)
    ]


def _buildable(
    actor: Actor, program: Program, period_key: str, today: dt.date
) -> tuple[Period, OrgUnit]:
    """The period to build for and the street the batch belongs to, once the actor may build
    batches of this program."""
    require(actor, Capability.REVIEW_BENEFITS)
    if actor.user.org_unit is None:
        raise Forbidden()
    if not program.pays_cash:
        raise JishengError(_("This program pays no cash; it has no payment batches."))
    period = period_for(program, period_key, today=today)
    # Eligibility and amounts are facts of the period: a period that has not begun has none
    # yet, so paying it would pay on a guess (a 2030 batch was once built).
    if period.start > today:
        raise JishengError(
            _("The period %(period)s has not begun yet; a batch is built once it has started.")
            % {"period": period_label(period.key)},
            code="period_not_started",
        )
    # The program's rule and amounts hold only while it runs: a period wholly outside its
    # validity has no amount rule to pay by.
    if (program.valid_from and period.end < program.valid_from) or (
        program.valid_to and period.start > program.valid_to
    ):
        raise JishengError(
            _("%(program)s did not run in %(period)s: it pays from %(start)s to %(end)s.")
            % {
                "program": program.name,
                "period": period_label(period.key),
                "start": program.valid_from or "—",
                "end": program.valid_to or "—",
            },
            code="period_outside_program",
        )
    return period, actor.user.org_unit


def batch_build_start(
    *, actor: Actor, program: Program, period_key: str, today: dt.date | None = None
) -> TaskProgress:
    """Queue a batch build on the task worker, refusing at once what the form can fix.

    The actor's build of the same program and period that is still queued or running is
    returned instead of a second one (a double click); the build itself still pays nobody
    twice however many are started.
    """
    today = today or timezone.localdate()
    period, _org_unit = _buildable(actor, program, period_key, today)
    kind = f"{BATCH_BUILD_KIND}:{program.pk}:{period.key}"
    unfinished = (TaskProgress.State.QUEUED, TaskProgress.State.RUNNING)
    with transaction.atomic():
        running = TaskProgress.objects.filter(
            owner=actor.user, kind=kind, state__in=unfinished
        ).first()
        if running is not None:
            return running
        started = progress.progress_create(owner_id=actor.user.pk, kind=kind, total=1)
        from jisheng.benefits.tasks import batch_build_task  # the task calls back into here

        progress_id, day, language = started.pk, today.isoformat(), translation.get_language()
        transaction.on_commit(
            lambda: batch_build_task.enqueue(
                progress_id=progress_id,
                actor_id=actor.user.pk,
                ip=actor.ip,
                program_id=program.pk,
                period_key=period.key,
                today=day,
                language=language,
            )
        )
    return started


def batch_build_run(
    *,
    progress_id: int,
    actor_id: int,
    ip: str | None,
    program_id: int,
    period_key: str,
    today: str,
    language: str | None = None,
) -> PaymentBatch | None:
    """Run a queued build: the batch, linked to its progress, or ``None`` with the refusal
    kept on the progress for the user to read."""
    with translation.override(language):
        progress.progress_start(progress_id, total=1)
        try:
            built = batch_build(
                actor=Actor(user=User.objects.get(pk=actor_id), ip=ip),
                program=Program.objects.get(pk=program_id),
                period_key=period_key,
                today=dt.date.fromisoformat(today),
                progress_id=progress_id,
            )
        except JishengError as refusal:
            progress.progress_fail(progress_id, message=str(refusal.message))
            return None
        except Exception:
            progress.progress_fail(
                progress_id,
                message=_("The batch could not be built; nothing was saved. Please try again."),
            )
            raise
        progress.progress_finish(progress_id)
        return built


def _due_lines(
    program: Program, period: Period, today: dt.date, entitled: QuerySet[Entitlement]
) -> list[tuple[Any, ...]]:
    """(entitlement, person, payee, community, unit, months, amount) for each unit owed money.

    One line per beneficiary unit: a couple is paid once, to the payee it named."""
    dates = _as_of_dates(program, period, today)
    codes_by_person = _month_codes(program, entitled, dates)
    tier_amounts = [Decimal(tier["amount"]) for tier in program.amount_tiers]
    lines = []
    units: set[str] = set()
    for row in (
        entitled.values_list(
            "pk", "person_id", "payee_id", "community_id", "unit_key", "start_date", "end_date"
        )
        .order_by("pk")
        .iterator(chunk_size=5000)
    ):
        entitlement_id, person_id, payee_id, community_id, unit, start, end = row
        unit = unit or unit_key(program.unit, person_id)
        codes = _bounded(codes_by_person.get(person_id, [-1] * len(dates)), dates, start, end)
        months, amount = period_amount(program, tier_amounts, codes)
        if months and unit not in units:
            units.add(unit)
            lines.append(
                (
                    entitlement_id,
                    person_id,
                    payee_id or person_id,
                    community_id,
                    unit,
                    months,
                    amount,
                )
            )
    return lines


def _entitled_in(user: User, program: Program, period: Period) -> QuerySet[Entitlement]:
    return (
        Entitlement.objects.visible_to(user)
        .filter(program=program, start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
    )


@transaction.atomic
def batch_build(
    *,
    actor: Actor,
    program: Program,
    period_key: str,
    today: dt.date | None = None,
    progress_id: int | None = None,
) -> PaymentBatch:
    """A draft batch paying every enrolled beneficiary in scope not yet paid for the period.

    Whoever has a pending, paid or reversed line for the period is left out: a reversed
    payment is paid again only by ``batch_correction_build``. ``progress_id``: the
    background build this runs for, kept on the batch.
    """
    today = today or timezone.localdate()
    user = actor.user
    program = Program.objects.select_for_update().get(pk=program.pk)
    period, org_unit = _buildable(actor, program, period_key, today)
    taken = Payment.objects.filter(
        program=program, period=period.key, kind=Payment.Kind.PAYMENT, status__in=_TAKEN
    )
    entitled = _entitled_in(user, program, period)
    unpaid = entitled.exclude(person_id__in=taken.values("person_id")).exclude(
        unit_key__in=taken.exclude(unit_key="").values("unit_key")
    )
    lines = _due_lines(program, period, today, unpaid)
    if not lines:
        # Say which of three things happened: "all paid already" when nobody was ever
        # enrolled sent staff looking for payments that do not exist.
        shown = {"period": period_label(period.key)}
        if not entitled.exists():
            message = (
                _(
                    "Nobody in your area is enrolled in this program for %(period)s, so there "
                    "is nothing to pay. Beneficiaries are enrolled when their applications are "
                    "approved."
                )
                % shown
            )
        elif unpaid.exists():
            message = (
                _(
                    "Nothing is due for %(period)s: the enrolled beneficiaries not yet paid have "
                    "no amount for this period (their dates or the amount rules leave it at "
                    "zero)."
                )
                % shown
            )
        else:
            message = (
                _("Nobody is left to pay for %(period)s: everyone eligible has a payment already.")
                % shown
            )
        if taken.filter(status=Payment.Status.REVERSED).exists():
            message += " " + _(
                "A reversed payment is paid again only as a correction, from its batch page."
            )
        raise Conflict(message)
    batch = PaymentBatch.objects.create(
        program=program,
        org_unit=org_unit,
        period=period.key,
        period_start=period.start,
        period_end=period.end,
        built_by=user,
        build_progress_id=progress_id,
    )
    try:
        with transaction.atomic():
            _insert_lines(batch, lines)
    except IntegrityError:
        raise Conflict(
            _("Another batch for this period was built at the same time; try again.")
        ) from None
    total = sum((line[6] for line in lines), Decimal(0))
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=batch,
        detail={"lines": len(lines), "total": str(total), "period": period.key},
    )
    return batch


@transaction.atomic
def batch_correction_build(
    *, actor: Actor, payment: Payment, reason: str, today: dt.date | None = None
) -> PaymentBatch:
    """A draft correction batch paying a reversed payment again, once it is approved.

    The amount is worked out afresh from the entitlement and the program's rule (the reason
    for the reversal may have been a wrong amount or payee); nothing due means no correction.
    The batch is reviewed, approved by another person and settled like any other batch.
    """
    require(actor, Capability.REVIEW_BENEFITS)
    reason = reason.strip()
    if not reason:
        raise JishengError(_("Give the reason for paying the reversed payment again."))
    found = visible_or_404(Payment, user=actor.user, pk=payment.pk)
    today = today or timezone.localdate()
    # Builds of one program take turns: the same lock as batch_build.
    program = Program.objects.select_for_update().get(pk=found.program_id)
    reversed_line = locked_or_404(Payment, user=actor.user, pk=found.pk)
    if reversed_line.kind != Payment.Kind.PAYMENT or (
        reversed_line.status != Payment.Status.REVERSED
    ):
        raise Conflict(_("Only a reversed payment can be paid again as a correction."))
    earlier = (
        Payment.objects.filter(corrects=reversed_line, status__in=_TAKEN)
        .values_list("batch_id", flat=True)
        .first()
    )
    if earlier is not None:
        raise Conflict(
            _("This payment has already been paid again, in correction batch #%(batch)s.")
            % {"batch": earlier}
        )
    period, org_unit = _buildable(actor, program, reversed_line.period, today)
    entitled = _entitled_in(actor.user, program, period).filter(pk=reversed_line.entitlement_id)
    lines = _due_lines(program, period, today, entitled)
    if not lines:
        raise Conflict(
            _("Nothing is due for %(period)s any more: there is nothing to pay again.")
            % {"period": period.key}
        )
    ((entitlement_id, person_id, payee_id, community_id, unit, months, amount),) = lines
    batch = PaymentBatch.objects.create(
        program=program,
        org_unit=org_unit,
        period=period.key,
        period_start=period.start,
        period_end=period.end,
        built_by=actor.user,
        correction_reason=reason[:300],
    )
    try:
        with transaction.atomic():
            line = Payment.objects.create(
                batch=batch,
                program=program,
                period=period.key,
                entitlement_id=entitlement_id,
                person_id=person_id,
                payee_id=payee_id,
                unit_key=unit,
                community_id=community_id,
                kind=Payment.Kind.PAYMENT,
                months=months,
                amount=amount,
                corrects=reversed_line,
            )
    except IntegrityError:
        raise Conflict(
            _("The person already has a payment for this period; nothing was built.")
        ) from None
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=batch,
        detail={
            "correction_of": reversed_line.pk,
            "payment": line.pk,
            "reason": batch.correction_reason,
            "total": str(amount),
            "period": period.key,
        },
    )
    return batch


_LINE_COLUMNS = (
    "batch_id",
    "program_id",
    "period",
    "entitlement_id",
    "person_id",
    "payee_id",
    "unit_key",
    "community_id",
    "kind",
    "months",
    "amount",
    "status",
    "failure_reason",
)


def _insert_lines(batch: PaymentBatch, lines: list[tuple[Any, ...]]) -> None:
    rows = [
        (
            batch.pk,
            batch.program_id,
            batch.period,
            entitlement_id,
            person_id,
            payee_id,
            unit,
            community_id,
            Payment.Kind.PAYMENT.value,
            months,
            amount,
            Payment.Status.PENDING.value,
            "",
        )
        for entitlement_id, person_id, payee_id, community_id, unit, months, amount in lines
    ]
    for start in range(0, len(rows), 10000):
        insert_rows(Payment._meta.db_table, _LINE_COLUMNS, rows[start : start + 10000])


PAYMENT_SOURCE = "benefits.payment"


def payment_spending(
    batch: PaymentBatch, lines: Sequence[tuple[int, int, Decimal]], *, reverses: bool
) -> list[Spending]:
    """Paid lines ``(payment id, community id, amount)`` as spending, one per funding level
    of the program; a reversal gives the same parts negated, so they net to zero.

    The day is the settlement day, but no later than the period's end: a period paid after
    it ended (history, a late batch) is spending of that period's budget year.
    """
    program = batch.program
    today = timezone.localdate()
    # A one-off award's "period" is only the day its batch was built: it is spent when paid.
    day = today if batch.period == ONCE else min(today, batch.period_end)
    description = f"{program.name} {batch.period_label}"
    return [
        Spending(
            source=PAYMENT_SOURCE,
            source_id=payment_id,
            amount=-part if reverses else part,
            day=day,
            category=SpendingCategory.BENEFITS,
            level=level,
            org_unit_id=community_id,
            description=description,
            reverses=reverses,
            record_view="benefits:batch_detail",
            record_id=batch.pk,
        )
        for payment_id, community_id, amount in lines
        for level, part in by_shares(amount, program.funding_shares)
    ]


def _locked_batch(actor: Actor, batch: PaymentBatch) -> PaymentBatch:
    return locked_or_404(PaymentBatch, user=actor.user, pk=batch.pk)


@transaction.atomic
def batch_review(*, actor: Actor, batch: PaymentBatch) -> PaymentBatch:
    require(actor, Capability.REVIEW_BENEFITS)
    batch = _locked_batch(actor, batch)
    if batch.state != PaymentBatch.State.DRAFT:
        raise Conflict(_("Only a draft batch can be marked reviewed."))
    batch.state = PaymentBatch.State.REVIEWED
    batch.reviewed_by = actor.user
    batch.reviewed_at = timezone.now()
    batch.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    audit.record(action=Action.UPDATE, actor=actor, obj=batch, detail={"state": batch.state})
    return batch


@transaction.atomic
def batch_approve(*, actor: Actor, batch: PaymentBatch) -> PaymentBatch:
    """Approve and lock: from now on lines change only by settling or by reversal lines."""
    require(actor, Capability.APPROVE_BENEFITS)
    batch = _locked_batch(actor, batch)
    if batch.state != PaymentBatch.State.REVIEWED:
        raise Conflict(_("A batch is approved after it has been reviewed."))
    if batch.built_by_id == actor.user.pk:
        raise Forbidden(_("Whoever built a batch cannot also approve it."))
    totals = batch.lines.aggregate(total=Sum("amount"))
    batch.state = PaymentBatch.State.APPROVED
    batch.approved_by = actor.user
    batch.approved_at = timezone.now()
    batch.approved_total = totals["total"] or Decimal("0.00")
    batch.approved_count = batch.lines.count()
    batch.save(
        update_fields=["state", "approved_by", "approved_at", "approved_total", "approved_count"]
    )
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=batch,
        detail={"state": batch.state, "total": str(batch.approved_total)},
    )
    return batch


@transaction.atomic
def batch_line_remove(*, actor: Actor, batch: PaymentBatch, payment_id: int) -> None:
    """Take a line out of a draft batch (before review nothing has been promised yet)."""
    require(actor, Capability.REVIEW_BENEFITS)
    batch = _locked_batch(actor, batch)
    if batch.state != PaymentBatch.State.DRAFT:
        raise Conflict(_("The batch is locked: lines change only in a draft."))
    deleted, _detail = batch.lines.filter(pk=payment_id).delete()
    if not deleted:
        raise NotFound()
    audit.record(action=Action.DELETE, actor=actor, obj=batch, detail={"payment": payment_id})


@transaction.atomic
def payments_settle(
    *,
    actor: Actor,
    batch: PaymentBatch,
    payment_ids: Sequence[int] | None,
    paid: bool,
    reason: str = "",
) -> int:
    """Record the bank's answer for pending lines (all of them when ``payment_ids`` is None)."""
    require(actor, Capability.REVIEW_BENEFITS)
    batch = _locked_batch(actor, batch)
    if batch.state != PaymentBatch.State.APPROVED:
        raise Conflict(_("Payments are recorded once the batch is approved."))
    if not paid and not reason.strip():
        raise JishengError(_("Give the reason the payment failed."))
    lines = batch.lines.filter(kind=Payment.Kind.PAYMENT)
    if payment_ids is not None:
        ids = set(payment_ids)
        lines = lines.filter(pk__in=ids)
        if lines.count() != len(ids):
            raise NotFound()
        if lines.exclude(status=Payment.Status.PENDING).exists():
            raise Conflict(_("Only pending payments can be recorded as paid or failed."))
    else:
        lines = lines.filter(status=Payment.Status.PENDING)
    # Read under the batch lock before the update: these lines become paid now, once.
    settled = list(lines.values_list("pk", "community_id", "amount")) if paid else []
    changed = lines.update(
        status=Payment.Status.PAID if paid else Payment.Status.FAILED,
        failure_reason="" if paid else reason.strip()[:300],
        settled_by=actor.user,
        settled_at=timezone.now(),
    )
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=batch,
        detail={"settled": changed, "paid": paid},
    )
    if settled:
        record_spending(payment_spending(batch, settled, reverses=False), actor=actor.user)
    return changed


@transaction.atomic
def payment_reverse(*, actor: Actor, payment: Payment, reason: str) -> Payment:
    """Cancel a paid line by a reversing line of the opposite amount; nothing is edited away."""
    require(actor, Capability.APPROVE_BENEFITS)
    original = locked_or_404(Payment, user=actor.user, pk=payment.pk)
    if original.kind != Payment.Kind.PAYMENT or original.status != Payment.Status.PAID:
        raise Conflict(_("Only a paid payment can be reversed."))
    if not reason.strip():
        raise JishengError(_("Give the reason for the reversal."))
    original.status = Payment.Status.REVERSED
    original.save(update_fields=["status"])
    reversal = Payment.objects.create(
        batch=original.batch,
        program=original.program,
        period=original.period,
        entitlement=original.entitlement,
        person=original.person,
        payee=original.payee,
        unit_key=original.unit_key,
        community=original.community,
        kind=Payment.Kind.REVERSAL,
        months=original.months,
        amount=-original.amount,
        status=Payment.Status.PAID,
        failure_reason=reason.strip()[:300],
        reverses=original,
        settled_by=actor.user,
        settled_at=timezone.now(),
    )
    audit.record(action=Action.CREATE, actor=actor, obj=reversal, detail={"reverses": original.pk})
    record_spending(
        payment_spending(
            original.batch, [(original.pk, original.community_id, original.amount)], reverses=True
        ),
        actor=actor.user,
    )
    return reversal


@transaction.atomic
def batch_discard(*, actor: Actor, batch: PaymentBatch) -> None:
    """Drop a draft batch whole, so its people can go into a new one."""
    require(actor, Capability.REVIEW_BENEFITS)
    batch = _locked_batch(actor, batch)
    if batch.state != PaymentBatch.State.DRAFT:
        raise Conflict(_("Only a draft batch can be discarded."))
    count = batch.lines.count()
    batch.lines.all().delete()
    audit.record(action=Action.DELETE, actor=actor, obj=batch, detail={"lines": count})
    batch.delete()
