"""Consultation sessions and material handouts at the points: counts only, no names."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.contraceptives.models import (
    Consultation,
    ConsultationTopic,
    DistributionPoint,
    MaterialHandout,
)
from jisheng.contraceptives.services.access import check_date, check_text, point_in_service
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.occasions import occasion_of
from jisheng.core.permissions import require
from jisheng.core.roles import Capability

MAX_PEOPLE = 10_000


def consultation_record(
    *,
    actor: Actor,
    point: DistributionPoint,
    date: dt.date,
    topic: str,
    people: int,
    note: str = "",
) -> Consultation:
    """One consultation session: its topic and how many people were advised."""
    require(actor, Capability.MANAGE_STOCK)
    check_date(date)
    if topic not in ConsultationTopic.values:
        raise JishengError(_("Choose a topic."), code="topic")
    if not 1 <= people <= MAX_PEOPLE:
        raise JishengError(_("The number of people is not plausible."), code="people")
    with transaction.atomic():
        point = point_in_service(actor, point)
        consultation = Consultation.objects.create(
            point=point,
            date=date,
            topic=topic,
            people=people,
            worker=actor.user,
            note=check_text(note),
        )
        audit.record(action=Action.CREATE, actor=actor, obj=consultation)
        return consultation


def material_handout_record(
    *,
    actor: Actor,
    point: DistributionPoint,
    date: dt.date,
    material: str,
    quantity: int,
    note: str = "",
    occasion: tuple[str, int] | None = None,
) -> MaterialHandout:
    """Leaflets or other materials handed out at a point on one day, optionally at an event
    of another app (``occasion``: kind and id) that the actor may see and that fell that day."""
    require(actor, Capability.MANAGE_STOCK)
    check_date(date)
    material = check_text(material, limit=100)
    if not material:
        raise JishengError(_("Name the material."), code="material")
    if not 1 <= quantity <= MAX_PEOPLE * 10:
        raise JishengError(_("The number of copies is not plausible."), code="quantity")
    occasion_kind, occasion_id = occasion or ("", None)
    if occasion is not None:
        found = occasion_of(actor.user, *occasion)
        if found is None:
            raise JishengError(_("Choose an activity you may see."), code="occasion")
        if found.day != date:
            raise JishengError(
                _("Materials handed out at an activity carry the activity's date (%(day)s).")
                % {"day": found.day.isoformat()},
                code="occasion",
            )
    with transaction.atomic():
        point = point_in_service(actor, point)
        handout = MaterialHandout.objects.create(
            point=point,
            date=date,
            material=material,
            quantity=quantity,
            worker=actor.user,
            note=check_text(note),
            occasion_kind=occasion_kind,
            occasion_id=occasion_id,
        )
        audit.record(action=Action.CREATE, actor=actor, obj=handout)
        return handout
