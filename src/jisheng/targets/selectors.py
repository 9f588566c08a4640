"""Reads of the targets module, each from ``visible_to(user)``: a community reads its own
book and score; the street and above read every book of their area and the ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core import modules
from jisheng.core.actors import Actor
from jisheng.core.errors import NotFound
from jisheng.core.indicators import Indicator, IndicatorRecord, Period
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.prepared import PreparedRows
from jisheng.core.roles import Capability
from jisheng.targets import scoring
from jisheng.targets.models import (
    ActionItem,
    ActionState,
    Adjustment,
    Assessment,
    AssessmentLine,
    BonusBand,
    BookLine,
    Department,
    Meeting,
    TargetBook,
    VetoItem,
)


def books(user: User, *, year: int | None = None) -> QuerySet[TargetBook]:
    found = TargetBook.objects.visible_to(user).select_related(
        "community", "cadre", "department", "street"
    )
    return found.filter(year=year) if year is not None else found


def book_detail(user: User, book_id: int) -> TargetBook:
    return visible_or_404(
        TargetBook.objects.select_related(
            "community", "cadre", "department", "street", "street_signatory", "copied_from"
        ),
        user=user,
        pk=book_id,
    )


def book_lines(user: User, book: TargetBook) -> QuerySet[BookLine]:
    return BookLine.objects.visible_to(user).filter(book=book).select_related("responsible")


def book_assessments(user: User, book: TargetBook) -> QuerySet[Assessment]:
    return Assessment.objects.visible_to(user).filter(book=book)


def weight_sum(lines: Sequence[BookLine]) -> Decimal:
    return sum((line.weight for line in lines), Decimal(0))


def previous_book(user: User, book: TargetBook) -> TargetBook | None:
    """The same party's book of the year before, if the user may read it."""
    party = {"community": book.community, "cadre": book.cadre, "department": book.department}
    return books(user, year=book.year - 1).filter(kind=book.kind, **party).first()


def staff_choices(user: User) -> QuerySet[User]:
    """Active staff of the user's area: who can be responsible, attend, chair or own a task."""
    return User.objects.filter(is_active=True, org_unit_id__in=user.scope_unit_ids()).order_by(
        "org_unit__path", "username"
    )


def cadre_choices(user: User) -> QuerySet[User]:
    unit = user.org_unit
    return staff_choices(user).filter(org_unit=unit)


def departments(user: User) -> QuerySet[Department]:
    return Department.objects.visible_to(user).filter(active=True)


def veto_items() -> QuerySet[VetoItem]:
    return VetoItem.objects.filter(active=True)


def all_departments(user: User) -> QuerySet[Department]:
    """The departments of the user's street, those out of use included (to edit them)."""
    return Department.objects.visible_to(user).select_related("street").order_by("-active", "name")


def all_veto_items(user: User) -> QuerySet[VetoItem]:
    """Every veto item, those out of use included (one list for every street)."""
    return VetoItem.objects.visible_to(user).order_by("-active", "pk")


def bonus_bands(user: User) -> QuerySet[BonusBand]:
    """The bands of the streets the user sees, highest first."""
    return (
        BonusBand.objects.visible_to(user)
        .select_related("street")
        .order_by("street__code", "-min_score")
    )


def indicator_choices() -> list[tuple[str, str]]:
    return [(key, str(indicator.name)) for key, indicator in modules.indicators().items()]


def assessment_detail(user: User, assessment_id: int) -> Assessment:
    return visible_or_404(
        Assessment.objects.select_related(
            "book__community",
            "book__cadre",
            "book__department",
            "book__street",
            "book__measured_unit",
            "approved_by",
        ).prefetch_related(
            Prefetch(
                "lines", queryset=AssessmentLine.objects.select_related("book_line__responsible")
            ),
            "adjustments",
            "vetoes__veto_item",
        ),
        user=user,
        pk=assessment_id,
    )


def adjustment_evidence(actor: Actor, adjustment_id: int) -> Adjustment:
    """An adjustment in the actor's scope whose evidence is about to be read; the read is
    audited before it is returned (404 outside the scope or without a file)."""
    require(actor, Capability.VIEW_TARGETS)
    adjustment = visible_or_404(
        Adjustment.objects.select_related("assessment"), user=actor.user, pk=adjustment_id
    )
    if not adjustment.evidence:
        raise NotFound()
    with transaction.atomic():
        audit.record(
            action=Action.VIEW,
            actor=actor,
            obj=adjustment,
            detail={"evidence": True, "assessment": adjustment.assessment_id},
        )
    return adjustment


def period_of(assessment: Assessment) -> Period:
    return Period(assessment.year, assessment.quarter or None)


@dataclass(frozen=True)
class Ranked:
    """An assessment with its rank among the same street's parties of the same kind."""

    assessment: Assessment
    rank: int


def ranking(user: User, *, period: Period, kind: str) -> list[Ranked]:
    """The assessments of ``period`` the user may read, best first, with competition ranks
    (ties share a rank). A community reads only its own line; street staff and leaders
    every community of their street. Ranks are taken among the whole street, so a
    community's own rank is the same whoever looks."""
    visible = list(
        Assessment.objects.visible_to(user)
        .filter(year=period.year, quarter=period.quarter or 0, book__kind=kind)
        .select_related("book__community", "book__cadre", "book__department", "book__street")
    )
    streets = {a.book.street_id for a in visible}
    everyone = list(
        Assessment.objects.filter(
            year=period.year,
            quarter=period.quarter or 0,
            book__kind=kind,
            book__street_id__in=streets,
        ).values_list("pk", "book__street_id", "total")
    )
    rank_of: dict[int, int] = {}
    for street in streets:
        same = [(pk, total) for pk, street_id, total in everyone if street_id == street]
        for (pk, _total), rank in zip(same, scoring.ranks([t for _, t in same]), strict=True):
            rank_of[pk] = rank
    rows = [Ranked(a, rank_of[a.pk]) for a in visible]
    return sorted(
        rows, key=lambda row: (row.assessment.book.street_id, row.rank, row.assessment.pk)
    )


def trend(user: User, *, year: int, kind: str) -> dict[str, list[Decimal | None]]:
    """Quarterly totals of the year by party, for the chart: ``{party: [q1, q2, q3, q4]}``."""
    series: dict[str, list[Decimal | None]] = {}
    found = (
        Assessment.objects.visible_to(user)
        .filter(year=year, book__kind=kind, quarter__gte=1)
        .select_related("book__community", "book__cadre", "book__department")
        .order_by("book__pk", "quarter")
    )
    for assessment in found:
        row = series.setdefault(assessment.book.party_name, [None, None, None, None])
        row[assessment.quarter - 1] = assessment.total
    return series


def line_records(
    user: User, assessment: Assessment, line: AssessmentLine
) -> tuple[Indicator | None, Sequence[IndicatorRecord]]:
    """The records behind one line's value that the user may read (a leader who holds only
    counts sees none)."""
    indicator = modules.indicators().get(line.indicator)
    if indicator is None:
        return None, []
    return indicator, indicator.records(user, assessment.book.measured_unit, period_of(assessment))


@dataclass(frozen=True)
class Responsibility:
    """A book line a person answers for, with its latest assessed value."""

    line: BookLine
    latest: AssessmentLine | None
    indicator: Indicator | None  # None: an indicator no installed module declares any more


def responsibilities(user: User, staff: User) -> list[Responsibility]:
    """What ``staff`` answers for in the books ``user`` may read, with where each stands."""
    lines = (
        BookLine.objects.visible_to(user)
        .filter(responsible=staff)
        .select_related("book__community", "book__cadre", "book__department")
        .order_by("-book__year", "book__pk", "pk")
    )
    latest: dict[int, AssessmentLine] = {}
    for row in (
        AssessmentLine.objects.filter(book_line__in=lines)
        .select_related("assessment")
        .order_by("assessment__year", "assessment__quarter")
    ):
        latest[row.book_line_id] = row
    declared = modules.indicators()
    return [
        Responsibility(line, latest.get(line.pk), declared.get(line.indicator)) for line in lines
    ]


def meetings(user: User, *, kind: str | None = None) -> QuerySet[Meeting]:
    found = Meeting.objects.visible_to(user).select_related("chair", "org_unit")
    return found.filter(kind=kind) if kind else found


def meeting_detail(user: User, meeting_id: int) -> Meeting:
    return visible_or_404(
        Meeting.objects.select_related("chair", "org_unit").prefetch_related(
            "attendees",
            Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")),
        ),
        user=user,
        pk=meeting_id,
    )


def own_action_items(
    user: User, *, today: dt.date, overdue_only: bool = False
) -> QuerySet[ActionItem]:
    """Open tasks owned by ``user``. Read by owner, not by area: a community worker given a
    task at a street meeting answers for it without reading the street's meetings."""
    found = ActionItem.objects.filter(owner=user, status=ActionState.OPEN).select_related("meeting")
    return found.filter(due_on__lt=today) if overdue_only else found


def own_overdue_items(user: User, *, today: dt.date, limit: int = 20) -> list[ActionItem]:
    """The first ``limit`` of ``own_action_items(user, today=today, overdue_only=True)``, in
    their order: read on every visit of the home page, from SQL compiled once a day."""
    return _own_overdue_read(today, limit).all(None, user.pk)


# Today's read, and yesterday's for a request that began before midnight.
@lru_cache(maxsize=2)
def _own_overdue_read(today: dt.date, limit: int) -> PreparedRows[ActionItem]:
    return PreparedRows(
        lambda _, owner: ActionItem.objects.filter(
            owner_id=owner, status=ActionState.OPEN, due_on__lt=today
        ).select_related("meeting")[:limit]
    )


def action_item_for(user: User, item_id: int) -> ActionItem:
    """A task the user may read: one they own, or one of a meeting in their area."""
    owned = ActionItem.objects.filter(owner=user, pk=item_id).first()
    return owned or visible_or_404(ActionItem, user=user, pk=item_id)


def communities(user: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user).filter(
        kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE]
    )
