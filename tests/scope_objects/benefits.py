from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jisheng.benefits.models import (
    Application,
    ApplicationDocument,
    EligibleSnapshot,
    Entitlement,
    Objection,
    Payment,
    PaymentBatch,
    Program,
    PublicNotice,
)
from jisheng.benefits.preload import preload_programs
from jisheng.core.progress import progress_create
from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """One object in community 2 (or the street, which a community-1 worker cannot see)."""
    preload_programs(Program)  # flushed by any transactional test that ran before
    program = Program.objects.get(code="rural-reward-support")
    worker, person, street = ctx.other_worker, ctx.other_person, ctx.org.street
    notice = PublicNotice.objects.create(
        program=program,
        org_unit=street,
        title="公示",
        starts_on=dt.date(2026, 1, 1),
        days=7,
        ends_on=dt.date(2026, 1, 7),
        published_by=worker,
    )
    application = Application.objects.create(
        program=program,
        person=person,
        community=ctx.org.c2,
        created_by=worker,
        state="in_notice",
        notice=notice,
    )
    document = ApplicationDocument.objects.create(
        application=application, title="身份证", file="benefits/documents/x.pdf", uploaded_by=worker
    )
    objection = Objection.objects.create(
        notice=notice,
        application=application,
        received_on=dt.date(2026, 1, 2),
        content="异议",
        recorded_by=worker,
    )
    entitlement = Entitlement.objects.create(
        program=program, person=person, community=ctx.org.c2, start_date=dt.date(2025, 1, 1)
    )
    batch = PaymentBatch.objects.create(
        program=program,
        org_unit=street,
        period="2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        built_by=worker,
    )
    payment = Payment.objects.create(
        batch=batch,
        program=program,
        period="2026",
        entitlement=entitlement,
        person=person,
        payee=person,
        community=ctx.org.c2,
        months=12,
        amount=Decimal("960.00"),
    )
    progress = progress_create(owner_id=worker.pk, kind="benefits_eligible_snapshot")
    snapshot = EligibleSnapshot.objects.create(
        program=program,
        as_of=dt.date(2026, 1, 1),
        org_unit=ctx.org.c2,
        progress=progress,
        taken_by=worker,
    )
    return {
        # Programs are a catalogue every role reads; only an unknown code is refused.
        "code": "no-such-program",
        "application_id": str(application.pk),
        "document_id": str(document.pk),
        "notice_id": str(notice.pk),
        "objection_id": str(objection.pk),
        "batch_id": str(batch.pk),
        "payment_id": str(payment.pk),
        "snapshot_id": str(snapshot.pk),
    }
