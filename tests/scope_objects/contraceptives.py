from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jisheng.contraceptives.models import PointKind, Product, ProductCategory
from jisheng.contraceptives.services import moves, stocktake
from jisheng.contraceptives.services.balances import MoveFacts
from jisheng.contraceptives.services.catalogue import point_create
from jisheng.contraceptives.services.roster import roster_enroll
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """One object in community 2 per route parameter of this module."""
    actor = Actor(user=ctx.other_worker)
    street = Actor(user=ctx.make_user(Role.STREET_STAFF, ctx.org.street))
    today = timezone.localdate()
    product = Product.objects.create(
        name="外国社区口服片", category=ProductCategory.ORAL, unit="盒"
    )
    point = point_create(
        actor=street, name="二社区发放点", kind=PointKind.COMMUNITY, org_unit=ctx.org.c2
    )
    move = moves.stock_receive(
        actor=actor,
        point=point,
        product=product,
        lot_number="F-1",
        expiry_date=today + dt.timedelta(days=400),
        quantity=10,
        facts=MoveFacts(occurred_on=today, document_number="QX-1"),
    )[0]
    count = stocktake.stock_count_start(actor=actor, point=point, count_date=today)
    entry = roster_enroll(actor=actor, person=ctx.other_wife, method="iud", start_date=today)
    return {
        "point_id": str(point.pk),
        "stock_move_id": str(move.pk),
        "stock_count_id": str(count.pk),
        "roster_entry_id": str(entry.pk),
    }
