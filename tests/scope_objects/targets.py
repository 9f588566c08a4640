from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.core.indicators import Period
from jisheng.core.roles import Role
from jisheng.targets import services
from jisheng.targets.models import BonusBand, MeetingKind, PartyKind, Scoring, VetoItem
from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """Community 2's signed and assessed book, and a street meeting with a task for
    community 2's worker: outside what community 1 may read."""
    street = Actor(user=ctx.make_user(Role.STREET_STAFF, ctx.org.street))
    year = timezone.localdate().year - 1
    book = services.book_create(
        actor=street, year=year, kind=PartyKind.COMMUNITY, community=ctx.org.c2
    )
    line = services.book_line_set(
        actor=street,
        book=book,
        indicator="targets.joint_meetings_monthly",
        target=Decimal(100),
        floor=Decimal(0),
        scoring=Scoring.LINEAR,
        weight=Decimal(100),
    )
    services.book_sign(
        actor=street, book=book, party_signatory="二社区书记", signed_on=dt.date(year, 1, 5)
    )
    assessment = services.assessment_run(actor=street, book=book, period=Period(year, 1))
    meeting = services.meeting_create(
        actor=street, kind=MeetingKind.JOINT, date=timezone.localdate(), title="街道联席会"
    )
    item = services.action_item_add(
        actor=street,
        meeting=meeting,
        description="二社区的任务",
        owner=ctx.other_worker,
        due_on=timezone.localdate(),
    )
    adjustment = services.assessment_adjust(
        actor=street,
        assessment=assessment,
        points=Decimal(1),
        reason="二社区加分",
        evidence=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 64),
    )
    department = services.department_create(actor=street, name="街道司法所")
    band = BonusBand.objects.create(street=ctx.org.street, min_score=Decimal(60), coefficient=1)
    veto_item = VetoItem.objects.create(name="统计数据弄虚作假")
    return {
        "adjustment_id": str(adjustment.pk),
        "department_id": str(department.pk),
        "band_id": str(band.pk),
        "veto_item_id": str(veto_item.pk),
        "book_id": str(book.pk),
        "line_id": str(line.pk),
        "assessment_id": str(assessment.pk),
        "meeting_id": str(meeting.pk),
        "item_id": str(item.pk),
    }
