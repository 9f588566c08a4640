"""Who may do what with stock, and the scoped re-reads every service starts from."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.contraceptives.models import DistributionPoint
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability

MAX_QUANTITY = 1_000_000
NOTE_LENGTH = 200
DOCUMENT_LENGTH = 50
# Ledger dates further back than this are almost certainly typing errors.
OLDEST_DATE = dt.date(2000, 1, 1)


def is_street_manager(user: User) -> bool:
    """Manages stock for a whole street (or above): catalogue, points and keepers."""
    unit = user.org_unit
    return (
        user.has_capability(Capability.MANAGE_STOCK)
        and unit is not None
        and unit.kind in {OrgUnit.Kind.STREET, OrgUnit.Kind.DISTRICT}
    )


def require_stock_manager(actor: Actor) -> None:
    if not actor.user.has_capability(Capability.MANAGE_STOCK):
        raise Forbidden()


def require_street_manager(actor: Actor) -> None:
    if not is_street_manager(actor.user):
        raise Forbidden(_("Only street staff manage the catalogue and the points."))


def require_health_duty(actor: Actor) -> None:
    if not actor.user.has_capability(Capability.VIEW_HEALTH):
        raise Forbidden()


def point_in_service(actor: Actor, point: DistributionPoint) -> DistributionPoint:
    """The point re-read inside the actor's scope and in service; else NotFound / Conflict."""
    require_stock_manager(actor)
    found = DistributionPoint.objects.visible_to(actor.user).filter(pk=point.pk).first()
    if found is None:
        raise NotFound()
    if not found.is_active:
        raise Conflict(_("This point is out of service."), code="point_inactive")
    return found


def check_quantity(quantity: int) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise JishengError(_("The quantity must be a whole number above zero."), code="quantity")
    if quantity > MAX_QUANTITY:
        raise JishengError(_("The quantity is implausibly large."), code="quantity")
    return quantity


def check_date(date: dt.date) -> dt.date:
    """A date of the past or today: the ledger records what happened, not plans."""
    if date > timezone.localdate():
        raise JishengError(_("The date lies in the future."), code="date_future")
    if date < OLDEST_DATE:
        raise JishengError(_("The date is too far in the past."), code="date_past")
    return date


def check_text(value: str, *, limit: int = NOTE_LENGTH) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise JishengError(
            _("A text is longer than %(n)d characters.") % {"n": limit}, code="too_long"
        )
    return value
