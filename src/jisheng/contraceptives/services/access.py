"""Who manages the catalogue and points, the point re-read every stock service starts from,
and the plausibility checks of quantities, dates and texts."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.contraceptives.models import DistributionPoint
from jisheng.core.actors import Actor
from jisheng.core.dates import Lifetime, possible_date
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.lookups import visible_or_404
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


def require_street_manager(actor: Actor) -> None:
    """Like ``core.permissions.require``, and the actor's unit must be the street (or above)."""
    if not is_street_manager(actor.user):
        raise Forbidden(_("Only street staff manage the catalogue and the points."))


def point_in_service(actor: Actor, point: DistributionPoint) -> DistributionPoint:
    """The point re-read inside the actor's scope and in service; else NotFound / Conflict.

    The calling service has checked the actor's capability (``require``) already."""
    found = visible_or_404(DistributionPoint, user=actor.user, pk=point.pk)
    if not found.is_active:
        raise Conflict(_("This point is out of service."), code="point_inactive")
    return found


def check_quantity(quantity: int) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise JishengError(_("The quantity must be a whole number above zero."), code="quantity")
    if quantity > MAX_QUANTITY:
        raise JishengError(_("The quantity is implausibly large."), code="quantity")
    return quantity


def check_date(date: dt.date, *lives: Lifetime) -> dt.date:
    """A date of the past or today, within the life of each of ``lives`` (the person
    supplied or on the roster): the ledger records what happened, not plans."""
    if date < OLDEST_DATE:
        raise JishengError(_("The date is too far in the past."), code="date_past")
    return possible_date(date, *lives, future_code="date_future")


def check_text(value: str, *, limit: int = NOTE_LENGTH) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise JishengError(
            _("A text is longer than %(n)d characters.") % {"n": limit}, code="too_long"
        )
    return value
