"""Reads of visits and certifications, always through scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits.care.numbers import NUMBER_PATTERN, certification_number_normalize
from jisheng.benefits.models import (
    BenefitKind,
    Category,
    Certification,
    Program,
    Visit,
    VisitPhoto,
)
from jisheng.core.actors import Actor
from jisheng.core.exports import write_xlsx
from jisheng.core.figures_cache import cached_figures
from jisheng.core.lookups import units_in_scope, visible_or_404
from jisheng.core.pages import in_order
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry.models import Household, HouseholdMember, Person, ResidentStatus
from jisheng.registry.selectors import person_by_id_number

_PERSON_SECRETS = ("person__id_number", "person__phone")
_ZERO = Decimal("0.00")


def _yuan(value: object) -> Decimal:
    """A sum as yuan and fen (SQLite returns sums of decimals without their scale)."""
    return Decimal(str(value)).quantize(_ZERO)


# ------------------------------------------------------------------------------- choices


def relief_programs(user: User, *, include_ended: bool = False) -> QuerySet[Program]:
    """Relief programs in scope a visit can be recorded under; ended ones only for lists."""
    require(user, Capability.VIEW_PERSONAL)
    programs = Program.objects.visible_to(user).filter(category=Category.RELIEF)
    return programs if include_ended else programs.exclude(status=Program.Status.ENDED)


def certification_programs(user: User, *, include_ended: bool = False) -> QuerySet[Program]:
    """Service programs in scope that issue certificates; ended ones only for lists."""
    require(user, Capability.VIEW_PERSONAL)
    programs = Program.objects.visible_to(user).filter(benefit_kind=BenefitKind.SERVICE)
    return programs if include_ended else programs.exclude(status=Program.Status.ENDED)


def resident_for(user: User, *, person_id: int | None = None, id_number: str = "") -> Person:
    """The resident a form names, by record (from a link) or by ID number, inside scope."""
    require(user, Capability.VIEW_PERSONAL)
    persons = Person.objects.visible_to(user).exclude(status=ResidentStatus.VOIDED)
    if person_id is not None:
        return visible_or_404(persons, user=user, pk=person_id)
    return person_by_id_number(user=user, id_number=id_number.strip())


def current_household(user: User, person: Person) -> Household | None:
    """The household the resident lives in now, if it lies in the user's scope."""
    require(user, Capability.VIEW_PERSONAL)
    membership = (
        HouseholdMember.objects.visible_to(user)
        .filter(person=person, end_date__isnull=True)
        .select_related("household")
        .first()
    )
    return membership.household if membership else None


# ------------------------------------------------------------------------------- visits


@dataclass(frozen=True)
class VisitFilters:
    program_id: int | None = None
    year: int | None = None
    community_id: int | None = None


def _photo_count() -> Subquery:
    """The visit's number of photos, counted for each row read: as a ``Count`` over a join
    it grouped every visit of the scope before a page took its rows (about 49 ms of an 85 ms
    page at 1,000,000 residents)."""
    photos = (
        VisitPhoto.objects.filter(visit=OuterRef("pk"))
        .order_by()
        .values("visit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(photos, output_field=models.IntegerField())


def visit_list(user: User, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    """Visits in scope, newest first, with ``photo_count``; lists carry masked numbers only.
    The list page reads its page's rows with ``visit_rows``."""
    require(user, Capability.VIEW_PERSONAL)
    filters = filters or VisitFilters()
    visits = (
        Visit.objects.visible_to(user)
        .select_related("program", "community", "person", "household")
        .defer(*_PERSON_SECRETS)
        .annotate(photo_count=Coalesce(_photo_count(), 0))
    )
    if filters.program_id:
        visits = visits.filter(program_id=filters.program_id)
    if filters.year:
        visits = visits.filter(date__gte=dt.date(filters.year, 1, 1)).filter(
            date__lte=dt.date(filters.year, 12, 31)
        )
    if filters.community_id:
        visits = visits.filter(community_id=filters.community_id)
    return visits.order_by("-date", "-pk")


@dataclass(frozen=True, slots=True)
class VisitRow:
    """A visit as a row of the visit list shows it, read as values: built as model objects
    (visit, program, community, resident, household), a page's rows cost more than its
    queries."""

    pk: int
    date: dt.date
    person_name: str
    household: str | None  # str(household); None when the visit names none
    community_name: str
    program_name: str
    visitors: str
    given: str
    cost: Decimal
    photo_count: int


_VISIT_ROW_VALUES = (
    "pk",
    "date",
    "person__name",
    "household_id",
    "household__number",
    "household__address",
    "community__name",
    "program__name",
    "visitors",
    "given",
    "cost",
    "n_photos",
)


def visit_rows(*, user: User, ids: Sequence[int]) -> list[VisitRow]:
    """The visit list's rows of these visits in the user's area, in the order of ``ids``."""
    require(user, Capability.VIEW_PERSONAL)
    found = (
        Visit.objects.visible_to(user)
        .filter(pk__in=ids)
        .annotate(n_photos=Coalesce(_photo_count(), 0))
        .order_by()
    )
    rows = (
        VisitRow(
            pk=pk,
            date=date,
            person_name=person_name,
            household=(number or address) if household_id is not None else None,
            community_name=community_name,
            program_name=program_name,
            visitors=visitors,
            given=given,
            cost=cost,
            photo_count=photo_count,
        )
        for (
            pk,
            date,
            person_name,
            household_id,
            number,
            address,
            community_name,
            program_name,
            visitors,
            given,
            cost,
            photo_count,
        ) in found.values_list(*_VISIT_ROW_VALUES)
    )
    return in_order(rows, list(ids))


@dataclass(frozen=True)
class VisitTotals:
    visits: int
    families: int
    cost: Decimal


def _family_count() -> Count:
    """A family is the household when one was named, else the resident visited."""
    return Count("household", distinct=True) + Count(  # type: ignore[return-value]
        "person", distinct=True, filter=Q(household__isnull=True)
    )


def visit_totals(visits: QuerySet[Visit]) -> VisitTotals:
    totals = visits.order_by().aggregate(
        visits=Count("pk", distinct=True),
        families=_family_count(),
        cost=Coalesce(Sum("cost"), _ZERO),
    )
    return VisitTotals(
        visits=totals["visits"], families=totals["families"], cost=_yuan(totals["cost"])
    )


@dataclass(frozen=True)
class VisitFigures:
    """The visit list's totals: over all its visits and by community."""

    totals: VisitTotals
    by_community: list[SpendingRow]


def visit_figures(user: User, filters: VisitFilters) -> VisitFigures:
    """The totals of the visits in scope that pass ``filters``, kept in the figures cache
    (``core.figures_cache``) until a visit is recorded: visits are only ever added (no
    service edits or removes one, a merge of residents leaves them), so the newest visit's
    id is their version. Counted afresh they read every visit of the list (about 7 ms of a
    street's page at 1,000,000 residents on SQLite)."""
    visits = visit_list(user, filters)
    newest = Visit.objects.order_by("-pk").values_list("pk", flat=True).first()
    return cached_figures(
        "benefits.visit_list",
        user,
        lambda: VisitFigures(
            totals=visit_totals(visits), by_community=visit_totals_by_community(visits)
        ),
        version=newest or 0,
        params=vars(filters).items(),
    )


def visit_detail(*, actor: Actor, visit_id: int) -> Visit:
    """One visit in scope; the view is audited before it is returned."""
    require(actor, Capability.VIEW_PERSONAL)
    visit = visible_or_404(
        Visit.objects.select_related(
            "program", "community", "person", "household", "recorded_by"
        ).defer(*_PERSON_SECRETS),
        user=actor.user,
        pk=visit_id,
    )
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=visit)
    return visit


def visit_photos(user: User, visit: Visit) -> QuerySet[VisitPhoto]:
    require(user, Capability.VIEW_PERSONAL)
    return VisitPhoto.objects.visible_to(user).filter(visit=visit).order_by("uploaded_at", "pk")


def visit_photo_for(*, actor: Actor, photo_id: int) -> VisitPhoto:
    """A photo whose visit lies in the actor's scope (photos have no public address)."""
    require(actor, Capability.VIEW_PERSONAL)
    photo = visible_or_404(VisitPhoto, user=actor.user, pk=photo_id)
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=photo)
    return photo


@dataclass(frozen=True)
class SpendingRow:
    """One community's visits under a relief program in one year."""

    community_id: int
    community: str
    visits: int
    families: int
    cost: Decimal


def visit_totals_by_community(visits: QuerySet[Visit]) -> list[SpendingRow]:
    """The visits grouped by community: count, families and cost, in community order."""
    rows = (
        visits.order_by()
        .values("community_id", "community__name", "community__code")
        .annotate(
            n=Count("pk", distinct=True),
            family_count=_family_count(),
            total=Coalesce(Sum("cost"), _ZERO),
        )
        .order_by("community__code")
    )
    return [
        SpendingRow(
            community_id=row["community_id"],
            community=row["community__name"],
            visits=row["n"],
            families=row["family_count"],
            cost=_yuan(row["total"]),
        )
        for row in rows
    ]


def relief_spending(user: User, program: Program, year: int) -> list[SpendingRow]:
    """Spending of a relief program in a year by community: visits, families and cost.

    The cost of visits is the program's spending; communities without visits are left out.
    """
    require(user, Capability.VIEW_PERSONAL)
    visits = Visit.objects.visible_to(user).filter(
        program=program, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
    )
    return visit_totals_by_community(visits)


def spending_total(rows: list[SpendingRow]) -> VisitTotals:
    return VisitTotals(
        visits=sum(row.visits for row in rows),
        families=sum(row.families for row in rows),
        cost=sum((row.cost for row in rows), _ZERO),
    )


def _visit_dates_from(user: User, day: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """The first visit date in scope on or after ``day`` (any when None), and the last.

    Found unit by unit, each as the end of its run of the index on (community, date), then
    the earliest and latest of those: a few index reads per unit in scope, however many
    visits there are (the year filter's choices were every visit's year, ~6.5 ms at
    1,000,000 residents)."""
    visits = Visit.objects.visible_to(user).filter(community=OuterRef("pk")).order_by()
    if day is not None:
        visits = visits.filter(date__gte=day)
    ends = (
        units_in_scope(Visit, user)
        .order_by()
        .annotate(
            first=Subquery(visits.order_by("date").values("date")[:1]),
            last=Subquery(visits.order_by("-date").values("date")[:1]),
        )
        .filter(first__isnull=False)
        .values_list("first", "last")
    )
    rows = list(ends)
    if not rows:
        return None, None
    return min(first for first, _ in rows), max(last for _, last in rows)


def visit_years(user: User) -> list[int]:
    """Years that have visits in scope, newest first (for the year filter).

    The first and the last year, then each year between them that has visits, jumping from
    one to the next (a query per such year, none per visit)."""
    require(user, Capability.VIEW_PERSONAL)
    first, last = _visit_dates_from(user, None)
    if first is None or last is None:
        return []
    years = [first.year]
    while years[-1] + 1 < last.year:
        found, _last = _visit_dates_from(user, dt.date(years[-1] + 1, 1, 1))
        if found is None or found.year >= last.year:
            break
        years.append(found.year)
    if years[-1] != last.year:
        years.append(last.year)
    return years[::-1]


def list_view_record(
    *, actor: Actor, model: type[models.Model], filters: object, printing: bool = False
) -> None:
    """Lists of families visited or certified are personal data: each look is audited."""
    detail: dict[str, Any] = {
        key: value for key, value in vars(filters).items() if value not in (None, "")
    }
    if printing:
        detail["print"] = True
    with transaction.atomic():
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            object_type=model._meta.label_lower,
            detail=detail,
        )


_EXPORT_COLUMNS = (
    gettext_lazy("date"),
    gettext_lazy("program"),
    gettext_lazy("community"),
    gettext_lazy("resident"),
    gettext_lazy("ID number"),
    gettext_lazy("household"),
    gettext_lazy("visitors"),
    gettext_lazy("what was given"),
    gettext_lazy("cost (yuan)"),
    gettext_lazy("photos"),
    gettext_lazy("note"),
)


def visit_export_xlsx(*, actor: Actor, filters: VisitFilters, destination: IO[bytes]) -> int:
    """Write the filtered visits as .xlsx (masked ID numbers, formula-safe cells); audited."""
    visits = visit_list(actor.user, filters)
    rows = (
        [
            visit.date,
            visit.program.name,
            visit.community.name,
            visit.person.name,
            visit.person.id_number_masked,
            str(visit.household or ""),
            visit.visitors,
            visit.given,
            visit.cost,
            visit.photo_count,  # type: ignore[attr-defined]
            visit.note,
        ]
        for visit in visits.iterator(chunk_size=2000)
    )
    count = write_xlsx(
        destination,
        [str(column) for column in _EXPORT_COLUMNS],
        rows,
        title=str(_("Visits"))[:31],
    )
    detail = {key: value for key, value in vars(filters).items() if value is not None}
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            object_type="benefits.visit",
            detail={**detail, "rows": count},
        )
    return count


# ------------------------------------------------------------------------------- certifications


@dataclass(frozen=True)
class CertificationFilters:
    program_id: int | None = None
    status: str = ""
    community_id: int | None = None
    year: int | None = None


def certification_list(
    user: User, filters: CertificationFilters | None = None
) -> QuerySet[Certification]:
    require(user, Capability.VIEW_PERSONAL)
    filters = filters or CertificationFilters()
    certifications = (
        Certification.objects.visible_to(user)
        .select_related("program", "community", "person", "issued_by")
        .defer(*_PERSON_SECRETS)
    )
    if filters.program_id:
        certifications = certifications.filter(program_id=filters.program_id)
    if filters.status:
        certifications = certifications.filter(status=filters.status)
    if filters.community_id:
        certifications = certifications.filter(community_id=filters.community_id)
    if filters.year:
        certifications = certifications.filter(
            issued_on__gte=dt.date(filters.year, 1, 1), issued_on__lte=dt.date(filters.year, 12, 31)
        )
    return certifications.order_by("-issued_on", "-pk")


def certification_detail(
    *, actor: Actor, certification_id: int, printing: bool = False
) -> Certification:
    """One certificate in scope. The printed form shows the full ID number; both are audited."""
    require(actor, Capability.VIEW_PERSONAL)
    certifications = Certification.objects.select_related(
        "program", "community", "community__parent", "person", "issued_by"
    )
    if not printing:
        certifications = certifications.defer(*_PERSON_SECRETS)
    certification = visible_or_404(certifications, user=actor.user, pk=certification_id)
    with transaction.atomic():
        audit.record(
            action=Action.VIEW,
            actor=actor,
            obj=certification,
            detail={"print": True} if printing else None,
        )
    return certification


@dataclass(frozen=True)
class Verification:
    """The answer to "is this number genuine?": valid, revoked or not found."""

    number: str
    result: str  # "valid" | "revoked" | "not_found"
    certification: Certification | None = None


def certification_verify(*, actor: Actor, number: str) -> Verification:
    """Look a verification number up among the certificates in the actor's scope (audited).

    A number outside the scope is answered exactly like an unknown one.
    """
    require(actor, Capability.VIEW_PERSONAL)
    normalized = certification_number_normalize(number)
    certification = None
    if NUMBER_PATTERN.fullmatch(normalized):
        certification = (
            Certification.objects.visible_to(actor.user)
            .select_related("program", "community", "person")
            .defer(*_PERSON_SECRETS)
            .filter(number=normalized)
            .first()
        )
    result = "not_found" if certification is None else str(certification.status)
    with transaction.atomic():
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            object_type="benefits.certification",
            object_id=certification.pk if certification else "",
            detail={"verify": result},
        )
    return Verification(number=normalized, result=result, certification=certification)
