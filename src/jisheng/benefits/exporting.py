"""The disbursement file of a batch (.xlsx or .csv) with the columns staff choose.

Banks need full ID numbers and accounts, so this is the one export that decrypts them:
only for approved batches, and audited with the columns chosen. Text cells are made safe from
formulas by the core writers (``csv_chunks``, ``write_xlsx``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits.forms import EXPORT_COLUMNS
from jisheng.benefits.models import Payment, PaymentBatch
from jisheng.benefits.models.programs import period_label
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.permissions import require
from jisheng.core.roles import Capability

STATUS_LABELS = {"pending": "待发放", "paid": "已发放", "failed": "发放失败", "reversed": "已冲正"}
SENSITIVE = frozenset({"payee_id_number", "person_id_number", "bank_account"})


def disbursement_rows(
    *, actor: Actor, batch: PaymentBatch, columns: Sequence[str], file_format: str
) -> tuple[list[str], Iterator[list[object]]]:
    """Header and rows of the file; refuses drafts, unknown columns and roles without the duty.

    A correction batch's file always ends with the note column, which names the reversed
    payment each line pays again: the file says it is a correction wherever it goes.
    """
    require(actor, Capability.REVIEW_BENEFITS)
    if batch.state != PaymentBatch.State.APPROVED:
        raise Conflict(_("A disbursement file is made from an approved batch."))
    unknown = [column for column in columns if column not in EXPORT_COLUMNS]
    if unknown or not columns:
        raise JishengError(_("Choose the columns of the file."))
    if batch.is_correction and "note" not in columns:
        columns = [*columns, "note"]
    lines = (
        Payment.objects.visible_to(actor.user)
        .filter(batch=batch, kind=Payment.Kind.PAYMENT)
        .select_related(
            "person", "payee", "community", "program", "entitlement__application", "corrects"
        )
        .order_by("community__code", "pk")
    )
    if not SENSITIVE.intersection(columns):
        lines = lines.defer(
            "person__id_number",
            "person__phone",
            "payee__id_number",
            "payee__phone",
            "entitlement__application__bank_account",
        )
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            obj=batch,
            detail={"columns": list(columns), "format": file_format, "count": lines.count()},
        )
    header = [str(EXPORT_COLUMNS[column]) for column in columns]

    def rows() -> Iterator[list[object]]:
        for seq, line in enumerate(lines.iterator(chunk_size=2000), start=1):
            application = line.entitlement.application
            values: dict[str, object] = {
                "seq": seq,
                "payee_name": line.payee.name,
                "payee_id_number": line.payee.id_number if "payee_id_number" in columns else "",
                "bank_account": (application.bank_account if application else "") or "",
                "person_name": line.person.name,
                "person_id_number": line.person.id_number if "person_id_number" in columns else "",
                "community": line.community.name,
                "program": line.program.name,
                "period": period_label(line.period),
                "months": line.months,
                "amount": line.amount,
                "status": STATUS_LABELS.get(line.status, line.status),
                "note": _correction_note(batch, line),
            }
            yield [values[column] for column in columns]

    return header, rows()


def _correction_note(batch: PaymentBatch, line: Payment) -> str:
    if line.corrects is None:
        return ""
    return _("Correction: pays again payment #%(payment)s of batch #%(batch)s (%(reason)s)") % {
        "payment": line.corrects_id,
        "batch": line.corrects.batch_id,
        "reason": batch.correction_reason,
    }
