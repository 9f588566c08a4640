"""Demo floating population: a complex with a property company and a landlord whose partner
account is ``demo_reporter``, inflow records of the first community's floating residents,
a few outflow records, partner reports (one confirmed, one waiting) and a stale record."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.idnumber import id_number_check_digit
from jisheng.core.models import OrgUnit
from jisheng.migrants.models import MigrantRecord, Partner, PartnerKind, ReportKind
from jisheng.migrants.regions import divisions
from jisheng.migrants.services import partners, records
from jisheng.migrants.services.partners import ReportData
from jisheng.registry.models import Person, ResidentStatus

# Origins of the demo inflow (GB/T 2260 counties people come to 峄城 from).
ORIGINS = ("510722", "410523", "341221", "370402", "320382", "130582")
DESTINATIONS = ("310115", "440306", "320582", "330106")
INFLOWS = 6
OUTFLOWS = 3
COMPLEX_NAME = "枣园小区"


def _id_number(region: str, born: dt.date, serial: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return first17 + id_number_check_digit(first17)


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """Seed once (a street whose first community has a complex is left as it is)."""
    community = (
        OrgUnit.objects.filter(parent=street, kind=OrgUnit.Kind.COMMUNITY).order_by("code").first()
    )
    users = {u.username: u for u in User.objects.filter(username__in=["demo_c1", "demo_reporter"])}
    worker, reporter = users.get("demo_c1"), users.get("demo_reporter")
    if community is None or worker is None or Partner.objects.filter(community=community).exists():
        return
    actor = Actor(user=worker)
    known = divisions()
    origins = [code for code in ORIGINS if code in known]
    with transaction.atomic():
        company = partners.partner_create(
            actor=actor, kind=PartnerKind.PROPERTY, name="枣园物业服务有限公司", community=community
        )
        estate = partners.complex_create(
            actor=actor,
            community=community,
            name=COMPLEX_NAME,
            address="坛山街道枣园路 8 号",
            property_company=company,
        )
        landlord = partners.partner_create(
            actor=actor,
            kind=PartnerKind.LANDLORD,
            name="王房东（枣园小区 3 号楼）",
            community=community,
            complex_=estate,
            contact="13900005678",
            account=reporter,
        )
        partners.partner_create(
            actor=actor, kind=PartnerKind.EMPLOYER, name="峄城区恒达纺织厂", community=community
        )
        partners.partner_create(
            actor=actor, kind=PartnerKind.POLICE, name="坛山派出所", community=community
        )
        floating = list(
            Person.objects.filter(
                community=community, is_floating=True, status=ResidentStatus.LIVING
            ).order_by("pk")[: INFLOWS + 1]
        )
        # The last one is left for the landlord's report that the demo confirms (below).
        for n, person in enumerate(floating[:-1]):
            records.inflow_open(
                actor=actor,
                community=community,
                moved_on=max(
                    person.birth_date,
                    # The first arrived long ago: it is the stale record below.
                    today - dt.timedelta(days=400 if n == 0 else rng.randrange(30, 900)),
                ),
                region_code=rng.choice(origins),
                address=f"枣园小区 {n % 6 + 1} 号楼 {rng.randrange(1, 7)}0{rng.randrange(1, 4)} 室",
                contact="",
                person=person,
                complex_=estate if n % 2 == 0 else None,
                landlord=landlord if n % 2 == 0 else None,
                employer="峄城区恒达纺织厂" if n % 3 == 0 else "",
            )
        leaving = Person.objects.filter(
            community=community,
            is_floating=False,
            status=ResidentStatus.LIVING,
            birth_date__lte=today - dt.timedelta(days=365 * 20),
        ).order_by("-pk")[:OUTFLOWS]
        for n, person in enumerate(leaving):
            records.outflow_open(
                actor=actor,
                person=person,
                # The first left long ago: the stale list has it when no inflow is old enough.
                moved_on=today - dt.timedelta(days=300 if n == 0 else rng.randrange(10, 400)),
                region_code=rng.choice(DESTINATIONS),
                address="外出务工",
            )
        # One record not verified for eight months: the stale list has something to show.
        stale_day = today - dt.timedelta(days=240)
        oldest = (
            MigrantRecord.objects.filter(community=community, moved_on__lte=stale_day)
            .order_by("pk")
            .first()
        )
        if oldest is not None:
            MigrantRecord.objects.filter(pk=oldest.pk).update(last_verified_on=stale_day)
        if reporter is None:
            return
        partner_actor = Actor(user=reporter)
        # The confirmed report is of someone the registry knows, so the demo population keeps
        # its size: a resident who had moved out and comes back (a move-in event), else a
        # floating resident not yet on record.
        unrecorded = Person.objects.filter(community=community).exclude(
            pk__in=MigrantRecord.objects.values("person")
        )
        back = (
            unrecorded.filter(status=ResidentStatus.MOVED_OUT).order_by("pk").first()
            or unrecorded.filter(status=ResidentStatus.LIVING, is_floating=True)
            .order_by("pk")
            .first()
        )
        if back is not None and back.id_number:
            returned = partners.report_submit(
                actor=partner_actor,
                data=ReportData(
                    kind=ReportKind.MOVE_IN,
                    name=back.name,
                    id_number=back.id_number or "",
                    moved_on=max(back.birth_date, today - dt.timedelta(days=3)),
                    hukou_type=back.hukou_type,
                    region_code=origins[0],
                    address="枣园小区 3 号楼 201 室",
                ),
            )
            partners.report_confirm(actor=actor, report=returned)
        born = dt.date(1995, 3, 2)
        partners.report_submit(
            actor=partner_actor,
            data=ReportData(
                kind=ReportKind.MOVE_IN,
                name="陈志强",
                id_number=_id_number(origins[1], born, 3),
                moved_on=today - dt.timedelta(days=1),
                hukou_type="rural",
                region_code=origins[1],
                address="枣园小区 3 号楼 202 室",
            ),
        )
