"""Complexes, partners, the community's worklist of reports, a partner's own reports and
the street's view of partners per complex."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.lookups import visible_or_404
from jisheng.migrants.models import Partner, PartnerReport, ReportState, ResidentialComplex

# A partner counts as reporting when it sent a report within this many days.
REPORTING_DAYS = 90


def complexes(user: User) -> QuerySet[ResidentialComplex]:
    return (
        ResidentialComplex.objects.visible_to(user)
        .select_related("community", "property_company")
        .order_by("community__code", "name")
    )


def partners(user: User) -> QuerySet[Partner]:
    return (
        Partner.objects.visible_to(user)
        .select_related("community", "complex", "account")
        .order_by("community__code", "kind", "name")
    )


def worklist(user: User) -> QuerySet[PartnerReport]:
    """Reports waiting for the community, oldest first (the community worker's worklist)."""
    return (
        PartnerReport.objects.visible_to(user)
        .filter(state=ReportState.PENDING)
        .select_related("partner", "community", "complex")
        .order_by("reported_at", "pk")
    )


def reports(user: User, *, state: str = "") -> QuerySet[PartnerReport]:
    """Reports the user may read, newest first: a partner's account gets its own only."""
    found = PartnerReport.objects.visible_to(user).select_related("partner", "complex")
    return found.filter(state=state) if state else found


def report_detail(user: User, report_id: int) -> PartnerReport:
    return visible_or_404(
        PartnerReport.objects.select_related("partner", "community", "complex", "record"),
        user=user,
        pk=report_id,
    )


@dataclass(frozen=True)
class ComplexRow:
    complex: ResidentialComplex
    partners: int
    reporting: int
    reports: int
    pending: int

    @property
    def rate(self) -> int | None:
        """Percent of the complex's partners that reported recently (None: no partners)."""
        return round(100 * self.reporting / self.partners) if self.partners else None


def complex_overview(user: User, *, today: dt.date | None = None) -> list[ComplexRow]:
    """Per complex of the user's area: its partners, how many reported within
    ``REPORTING_DAYS``, and its reports (all, pending); two grouped queries."""
    since = (today or timezone.localdate()) - dt.timedelta(days=REPORTING_DAYS)
    found = list(complexes(user))
    partner_counts: dict[int, dict[str, int]] = {
        row["complex"]: {"total": row["total"], "reporting": row["reporting"]}
        for row in Partner.objects.visible_to(user)
        .filter(complex__in=found)
        .values("complex")
        .annotate(
            total=Count("pk", distinct=True),
            reporting=Count("pk", filter=Q(reports__reported_at__date__gte=since), distinct=True),
        )
    }
    report_counts: dict[int, dict[str, int]] = {
        row["complex"]: {"total": row["total"], "pending": row["pending"]}
        for row in PartnerReport.objects.visible_to(user)
        .filter(complex__in=found)
        .values("complex")
        .annotate(total=Count("pk"), pending=Count("pk", filter=Q(state=ReportState.PENDING)))
    }
    return [
        ComplexRow(
            complex=c,
            partners=partner_counts.get(c.pk, {}).get("total", 0),
            reporting=partner_counts.get(c.pk, {}).get("reporting", 0),
            reports=report_counts.get(c.pk, {}).get("total", 0),
            pending=report_counts.get(c.pk, {}).get("pending", 0),
        )
        for c in found
    ]
