from __future__ import annotations

import datetime as dt
import uuid

from jisheng.migrants.models import Direction, Movement, Notice, Peer, Query
from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """A received notice and a query of community 2: outside community 1."""
    peer = Peer.objects.create(
        region_code="370402", name="市中区", base_url="http://127.0.0.1:9", public_key="x"
    )
    notice = Notice.objects.create(
        direction=Direction.RECEIVED,
        peer=peer,
        message_id=uuid.uuid4(),
        movement=Movement.ARRIVED,
        community=ctx.other_person.community,
        person=ctx.other_person,
        name="李四",
        id_number="370404199001010011",
        moved_on=dt.date(2026, 11, 1),
        notified_on=dt.date(2026, 11, 2),
        due_on=dt.date(2026, 11, 16),
    )
    query = Query.objects.create(
        direction=Direction.SENT,
        peer=peer,
        message_id=uuid.uuid4(),
        org_unit=ctx.other_person.community,
        asked_by=ctx.other_worker,
        id_number="370404199001010011",
        legal_basis="人口与计划生育法",
        asked_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
    )
    return {"notice_id": str(notice.pk), "query_id": str(query.pk)}
