"""Pre-pregnancy checks in the answer to another region's query: whether the person was
checked and when (or since when they wait for a check), nothing of the findings."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.core.service_status import ServiceStatus
from jisheng.prepregnancy.models import Checkup, TargetCouple

KEY = "prepregnancy.check"


def status_of(person_id: int) -> list[ServiceStatus]:
    """The person's latest check, else the open target couple still waiting for one."""
    checked = (
        Checkup.objects.filter(person_id=person_id)
        .order_by("-date", "-pk")
        .values_list("date", flat=True)
        .first()
    )
    if checked is not None:
        return [ServiceStatus(KEY, _("Pre-pregnancy health check"), _("Checked"), checked)]
    waiting = (
        TargetCouple.objects.filter(Q(husband_id=person_id) | Q(wife_id=person_id))
        .filter(closed_on__isnull=True)
        .order_by("-entered_on", "-pk")
        .values_list("entered_on", flat=True)
        .first()
    )
    if waiting is not None:
        return [ServiceStatus(KEY, _("Pre-pregnancy health check"), _("Not checked yet"), waiting)]
    return []
