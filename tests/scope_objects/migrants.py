from __future__ import annotations

import datetime as dt

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.migrants.models import PartnerKind
from jisheng.migrants.services import partners, records
from scope_objects import ForeignContext
from support.migrants import tenant


def make(ctx: ForeignContext) -> dict[str, str]:
    """An inflow record and a partner report of community 2: outside community 1, and the
    report filed by another partner's account."""
    actor = Actor(user=ctx.other_worker)
    unit = ctx.other_person.community
    account = ctx.make_user(Role.PARTNER_REPORTER, unit)
    partners.partner_create(
        actor=actor, kind=PartnerKind.LANDLORD, name="外社区房东", community=unit, account=account
    )
    report = partners.report_submit(actor=Actor(user=account), data=tenant())
    record = records.inflow_open(
        actor=actor,
        community=unit,
        moved_on=dt.date(2026, 1, 5),
        region_code="510722",
        address="外社区",
        person=ctx.other_wife,
    )
    return {"record_id": str(record.pk), "report_id": str(report.pk)}
