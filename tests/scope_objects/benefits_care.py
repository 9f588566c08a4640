from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from jisheng.benefits.models import (
    Certification,
    Entitlement,
    Program,
    ReviewCampaign,
    ReviewItem,
    Visit,
    VisitPhoto,
)
from jisheng.benefits.preload import preload_programs
from scope_objects import ForeignContext

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make(ctx: ForeignContext) -> dict[str, str]:
    """One object in community 2 (or the street) per route parameter of visits,
    certifications and re-verification."""
    preload_programs(Program)  # flushed by any transactional test that ran before
    worker, person, street = ctx.other_worker, ctx.other_person, ctx.org.street
    visit = Visit.objects.create(
        program=Program.objects.get(code="hardship-visits"),
        community=person.community,
        person=person,
        date=dt.date(2026, 1, 20),
        visitors="王主任",
        cost="200.00",
        recorded_by=worker,
    )
    photo = VisitPhoto.objects.create(visit=visit, file=ContentFile(PNG, name="scope.png"))
    certification = Certification.objects.create(
        program=Program.objects.get(code="school-bonus-check"),
        person=person,
        community=person.community,
        number="JS-2026-SC0PE2C2",
        purpose="中考加分",
        issued_on=dt.date(2026, 6, 1),
        issued_by=worker,
    )
    program = Program.objects.get(code="only-child-parents")
    entitlement = Entitlement.objects.create(
        program=program, person=person, community=person.community, start_date=dt.date(2024, 1, 1)
    )
    campaign = ReviewCampaign.objects.create(
        program=program, org_unit=street, year=2026, created_by=worker
    )
    item = ReviewItem.objects.create(
        campaign=campaign, entitlement=entitlement, community=person.community
    )
    return {
        "visit_id": str(visit.pk),
        "visit_photo_id": str(photo.pk),
        "certification_id": str(certification.pk),
        "campaign_id": str(campaign.pk),
        "review_item_id": str(item.pk),
    }
