"""Contraceptive services in the answer to another region's query: the kind of method the
person uses now (since when) and the day of the last follow-up; no side effects or notes."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jisheng.contraceptives.models import RosterEntry, RosterFollowUp
from jisheng.core.service_status import ServiceStatus


def status_of(person_id: int) -> list[ServiceStatus]:
    """The current roster entry's method and the last follow-up, each when there is one."""
    lines: list[ServiceStatus] = []
    current = (
        RosterEntry.objects.filter(person_id=person_id, stop_date__isnull=True)
        .order_by("-start_date", "-pk")
        .first()
    )
    if current is not None:
        lines.append(
            ServiceStatus(
                "contraceptives.method",
                _("Contraceptive method"),
                str(current.get_method_display()),
                current.start_date,
            )
        )
    followed = (
        RosterFollowUp.objects.filter(entry__person_id=person_id)
        .order_by("-date", "-pk")
        .values_list("date", flat=True)
        .first()
    )
    if followed is not None:
        lines.append(
            ServiceStatus(
                "contraceptives.follow_up",
                _("Last contraceptive follow-up"),
                _("Followed up"),
                followed,
            )
        )
    return lines
