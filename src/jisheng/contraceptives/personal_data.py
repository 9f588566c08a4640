"""Contraceptive services' part of the subject-access report (health data: shown only to
holders of the health duty). Consultations and handouts name no resident, so hold none."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.contraceptives.models import RosterEntry, RosterFollowUp, StockMove
from jisheng.core.modules import DataSection
from jisheng.core.personal_data import section_of
from jisheng.core.roles import Capability
from jisheng.registry.models import Person


def personal_data(user: User, person: Person) -> list[DataSection]:
    """The resident's roster entries, their follow-ups, and supplies issued to them."""
    if not user.has_capability(Capability.VIEW_HEALTH):
        return []
    entries = RosterEntry.objects.visible_to(user).filter(person=person)
    return [
        section_of(
            key="contraceptives.roster",
            title=_("Contraceptive roster"),
            records=entries.select_related("point").order_by("start_date", "pk"),
            model=RosterEntry,
            fields=("method", "start_date", "stop_date", "stop_reason", "point", "notes"),
            health=True,
        ),
        section_of(
            key="contraceptives.rosterfollowup",
            title=_("Roster follow-ups"),
            records=RosterFollowUp.objects.visible_to(user)
            .filter(entry__in=entries)
            .order_by("date", "pk"),
            model=RosterFollowUp,
            fields=("date", "satisfaction", "side_effects", "switched_to", "notes"),
            health=True,
        ),
        section_of(
            key="contraceptives.issue",
            title=_("Contraceptive issues"),
            records=StockMove.objects.visible_to(user)
            .filter(person=person)
            .select_related("point", "lot")
            .order_by("occurred_on", "pk"),
            model=StockMove,
            fields=("occurred_on", "kind", "lot", "quantity", "point", "note"),
            health=True,
        ),
    ]
