from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import valid_id_number
from jisheng.accounts.org_units import org_unit_create
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.governance.models import Department, OutletKind
from jisheng.governance.services import cases, supervision
from scope_objects import ForeignContext

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def make(ctx: ForeignContext) -> dict[str, str]:
    """Community 2's leading group member, device, inspection, operator, pledge, pharmacy;
    and a case file with evidence in another street: all outside what community 1 reads."""
    today = timezone.localdate()
    street = Actor(user=ctx.make_user(Role.STREET_STAFF, ctx.org.street))
    group = supervision.leading_group_set(actor=street, unit=ctx.org.c2, name="二社区领导小组")
    member = supervision.group_member_add(
        actor=street,
        group=group,
        name="王主任",
        post="组长",
        department=Department.FAMILY_PLANNING,
        from_date=today,
    )
    device = supervision.device_register(
        actor=street,
        unit=ctx.org.c2,
        institution="二社区卫生室",
        model_name="M1",
        serial_number="SN-FOREIGN",
        location="一楼",
    )
    inspection = supervision.inspection_record(
        actor=street,
        device_id=device.pk,
        date=today,
        inspectors="甲、乙",
        rectification_due=today + dt.timedelta(days=10),
    )
    operator = supervision.operator_register(
        actor=street,
        unit=ctx.org.c2,
        institution="二社区卫生室",
        name="李医生",
        qualification="医师",
    )
    pledge = supervision.pledge_record(
        actor=street,
        operator_id=operator.pk,
        signed_on=today,
        scan=SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf"),
    )
    outlet = supervision.outlet_register(
        actor=street, unit=ctx.org.c2, kind=OutletKind.PHARMACY, name="二社区药店"
    )
    dispensing = supervision.dispensing_record(
        actor=street,
        outlet_id=outlet.pk,
        dispensed_on=today,
        drug="米非司酮片",
        quantity=1,
        buyer_name="某人",
        buyer_id_number=valid_id_number(dt.date(1993, 3, 3), "F"),
    )
    other_street = org_unit_create(
        actor=None,
        name="外街道",
        kind="street",
        code=ctx.org.street.code[:-1] + "8",
        parent=ctx.org.district,
    )
    officer = Actor(user=ctx.make_user(Role.CASE_OFFICER, other_street))
    case = cases.case_open(actor=officer, source="hotline", summary="外街道线索", received_on=today)
    evidence = cases.evidence_add(
        actor=officer,
        case_id=case.pk,
        description="照片",
        file=SimpleUploadedFile("e.pdf", PDF, content_type="application/pdf"),
    )
    return {
        "unit_id": str(ctx.org.street.pk),
        "member_id": str(member.pk),
        "device_id": str(device.pk),
        "inspection_id": str(inspection.pk),
        "operator_id": str(operator.pk),
        "pledge_id": str(pledge.pk),
        "outlet_id": str(outlet.pk),
        "dispensing_id": str(dispensing.pk),
        "case_id": str(case.pk),
        "evidence_id": str(evidence.pk),
    }
