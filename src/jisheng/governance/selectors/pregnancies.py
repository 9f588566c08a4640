"""Pregnancies in the user's area and the two reconciliation worklists: pregnancies past due
with no outcome, and registry births with no known pregnancy."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.choices import labels
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import in_order
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.governance.models import ReviewState, Termination
from jisheng.prepregnancy.models import FollowUp, Pregnancy, TaskState
from jisheng.registry.models import LifeEvent, Person

DEFAULT_OVERDUE_WEEKS = 4
# A pregnancy reported at most this long before a birth can be the one that ended in it.
PREGNANCY_SPAN_DAYS = 300
# How far back the "birth without a known pregnancy" list looks.
BIRTH_LOOKBACK_DAYS = 366
_SECRETS = ("woman__id_number", "woman__phone", "outcome_details")


def overdue_weeks() -> int:
    """Weeks after the expected date with no outcome before a pregnancy is overdue
    (setting ``JISHENG_PREGNANCY_OVERDUE_WEEKS``, default 4)."""
    return int(getattr(settings, "JISHENG_PREGNANCY_OVERDUE_WEEKS", DEFAULT_OVERDUE_WEEKS))


def pregnancy_list(user: User, *, open_only: bool = True) -> QuerySet[Pregnancy]:
    """Pregnancies in the user's area (open ones unless asked), newest report first."""
    require(user, Capability.VIEW_HEALTH)
    pregnancies = (
        Pregnancy.objects.visible_to(user).select_related("woman", "community").defer(*_SECRETS)
    )
    if open_only:
        pregnancies = pregnancies.filter(closed=False)
    return pregnancies.order_by("-reported_on", "-pk")


def pregnancy_visible(user: User, pregnancy_id: int) -> Pregnancy:
    """One pregnancy in the user's area, else 404."""
    require(user, Capability.VIEW_HEALTH)
    return visible_or_404(
        Pregnancy.objects.select_related("woman", "community", "couple"), user=user, pk=pregnancy_id
    )


def overdue_before(today: dt.date | None = None) -> dt.date:
    """A pregnancy expected before this day and still open is overdue."""
    return (today or timezone.localdate()) - dt.timedelta(weeks=overdue_weeks())


def overdue_pregnancies(user: User, *, today: dt.date | None = None) -> QuerySet[Pregnancy]:
    """Open pregnancies whose expected date lies more than N weeks back: no outcome known."""
    return (
        pregnancy_list(user)
        .filter(expected_on__lt=overdue_before(today))
        .order_by("expected_on", "pk")
    )


def births_without_pregnancy(user: User, *, today: dt.date | None = None) -> QuerySet[LifeEvent]:
    """Registry births of the last year in the user's area that no pregnancy record explains:
    none linked to the birth, and none of the mother reported in the 300 days before it."""
    require(user, Capability.VIEW_HEALTH)
    since = (today or timezone.localdate()) - dt.timedelta(days=BIRTH_LOOKBACK_DAYS)
    known = Pregnancy.objects.filter(
        Q(birth_event=OuterRef("pk"))
        | Q(
            woman=OuterRef("other_person"),
            reported_on__lte=OuterRef("date"),
            reported_on__gte=OuterRef("date") - dt.timedelta(days=PREGNANCY_SPAN_DAYS),
        )
    )
    # Read newest first from the (kind, date, id, community) index, stopping at the page.
    # "Not reversed" is a NOT EXISTS: as a left join to the reversals (reversed_by__isnull),
    # PostgreSQL took it for one row and tested and sorted every birth of the year.
    reversed_ = LifeEvent.objects.filter(reverses=OuterRef("pk"))
    return (
        LifeEvent.objects.visible_to(user)
        .filter(kind=LifeEvent.Kind.BIRTH, date__gte=since)
        .filter(~Exists(reversed_), ~Exists(known))
        .select_related("person", "other_person", "community")
        .defer(
            "person__id_number", "person__phone", "other_person__id_number", "other_person__phone"
        )
        .order_by("-date", "-pk")
    )


@dataclass(frozen=True, slots=True)
class BirthRow:
    """A birth without a pregnancy record as its list shows it, read as values (built as model
    objects, a page's rows were four objects each: event, child, mother, community)."""

    pk: int
    date: dt.date
    mother_id: int | None
    mother_name: str | None
    mother_floating: bool | None
    sex_label: str
    community_name: str


def birth_rows(user: User, *, ids: Sequence[int]) -> list[BirthRow]:
    """The rows of these births in the user's area, in the order of ``ids`` (the page of
    ``births_without_pregnancy``)."""
    require(user, Capability.VIEW_HEALTH)
    sexes = labels(Person, "sex")
    found = (
        LifeEvent.objects.visible_to(user)
        .filter(pk__in=ids)
        .values_list(
            "pk",
            "date",
            "other_person_id",
            "other_person__name",
            "other_person__is_floating",
            "person__sex",
            "community__name",
        )
    )
    rows = (
        # as get_FOO_display: a value without a label shows as itself
        BirthRow(pk, date, mother, name, floating, sexes.get(sex, sex), community)
        for pk, date, mother, name, floating, sex, community in found
    )
    return in_order(rows, list(ids))


def open_followups(user: User, pregnancy: Pregnancy) -> QuerySet[FollowUp]:
    """The visits of one pregnancy, by due date."""
    return (
        FollowUp.objects.visible_to(user)
        .filter(pregnancy=pregnancy)
        .defer("findings")
        .order_by("due_date", "pk")
    )


def followups_due(user: User) -> QuerySet[FollowUp]:
    """Open visits of open pregnancies outside pre-pregnancy's couples, by due date."""
    require(user, Capability.VIEW_HEALTH)
    return (
        FollowUp.objects.visible_to(user)
        .filter(couple__isnull=True, state=TaskState.OPEN, pregnancy__closed=False)
        .select_related("pregnancy__woman", "pregnancy__community")
        .defer("findings", "pregnancy__woman__id_number", "pregnancy__woman__phone")
        .order_by("due_date", "pk")
    )


def terminations_to_review(user: User) -> QuerySet[Termination]:
    """Terminations at 14 weeks or more without a medical reason, awaiting the street."""
    require(user, Capability.VIEW_HEALTH)
    return (
        Termination.objects.visible_to(user)
        .filter(review=ReviewState.PENDING)
        .select_related("woman", "community")
        .defer("woman__id_number", "woman__phone")
        .order_by("created_at", "pk")
    )


def termination_list(user: User) -> QuerySet[Termination]:
    require(user, Capability.VIEW_HEALTH)
    return (
        Termination.objects.visible_to(user)
        .select_related("woman", "community")
        .defer("woman__id_number", "woman__phone")
        .order_by("-created_at", "-pk")
    )


def pregnant_at(women_on: Iterable[tuple[int, dt.date]], *, weeks: int) -> set[tuple[int, dt.date]]:
    """The (woman, day) pairs on which she was pregnant at ``weeks`` of gestation or more, by
    a registered pregnancy still open that day (the dispensing review list asks).

    Not scoped to a reader: it answers yes or no for dispensings the caller already reads,
    and no pregnancy detail leaves it. Last periods and outcome dates are encrypted, so the
    gestation is worked out here rather than in SQL.
    """
    asked = set(women_on)
    by_woman: dict[int, list[Pregnancy]] = defaultdict(list)
    for pregnancy in Pregnancy.objects.filter(woman_id__in={woman for woman, _day in asked}):
        by_woman[pregnancy.woman_id].append(pregnancy)
    found: set[tuple[int, dt.date]] = set()
    for woman, day in asked:
        for pregnancy in by_woman.get(woman, ()):
            last_period = pregnancy.last_period
            if last_period is None or day < last_period + dt.timedelta(weeks=weeks):
                continue
            ended = pregnancy.outcome_date if pregnancy.closed else None
            if pregnancy.closed and (ended is None or ended < day):
                continue
            found.add((woman, day))
            break
    return found
