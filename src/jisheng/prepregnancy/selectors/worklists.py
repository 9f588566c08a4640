"""Follow-ups and referrals that fall due: lists, the overdue worklist per worker, home counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.choices import labels
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import in_order
from jisheng.core.permissions import require
from jisheng.core.prepared import PreparedRows
from jisheng.core.roles import Capability
from jisheng.prepregnancy.models import Checkup, FollowUp, Referral, TaskState
from jisheng.registry.models import Person

# The home panel also warns of what falls due within this many days.
DUE_SOON_DAYS = 7


def _with_spouses[T: FollowUp | Referral](tasks: QuerySet[T]) -> QuerySet[T]:
    """The spouses of the tasks read (without their encrypted columns), fetched for those
    rows only, never joined to every task of the area."""
    spouses = Person.objects.defer("id_number", "phone")
    return tasks.prefetch_related(
        Prefetch("couple__husband", queryset=spouses), Prefetch("couple__wife", queryset=spouses)
    )


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A follow-up or referral as a worklist row shows it, read as values: built as model
    objects, a page's rows were six objects each (task, couple, community, two spouses,
    worker), about 2 ms of a 9 ms page at 1,000,000 residents."""

    pk: int
    couple_id: int
    wife_name: str
    husband_name: str
    community_name: str
    due_date: dt.date
    state: str
    state_label: str
    assignee_name: str
    kind: str = ""  # a follow-up's kind; a referral has none
    kind_label: str = ""
    spouse_label: str = ""  # a referral: whose check raised it
    completed_on: dt.date | None = None


_ROW_VALUES = (
    "pk",
    "couple_id",
    "couple__wife__name",
    "couple__husband__name",
    "couple__community__name",
    "due_date",
    "state",
    "assignee__full_name",
    "assignee__username",
)


def _row_fields(values: tuple[Any, ...], states: dict[Any, str]) -> dict[str, Any]:
    pk, couple_id, wife, husband, community, due_date, state, full_name, username = values
    return {
        "pk": pk,
        "couple_id": couple_id,
        "wife_name": wife,
        "husband_name": husband,
        "community_name": community,
        "due_date": due_date,
        "state": state,
        "state_label": states.get(state, state),
        "assignee_name": full_name or username,  # as User.__str__
    }


def followup_rows(*, user: User, ids: Sequence[int]) -> list[TaskRow]:
    """The worklist rows of these follow-ups in the user's area, in the order of ``ids``."""
    require(user, Capability.VIEW_HEALTH)
    kinds, states = labels(FollowUp, "kind"), labels(FollowUp, "state")
    found = FollowUp.objects.visible_to(user).filter(pk__in=ids, couple__isnull=False)
    rows = (
        TaskRow(**_row_fields(values[:-1], states), kind=values[-1], kind_label=kinds[values[-1]])
        for values in found.values_list(*_ROW_VALUES, "kind")
    )
    return in_order(rows, list(ids))


def referral_rows(*, user: User, ids: Sequence[int]) -> list[TaskRow]:
    """The worklist rows of these referrals in the user's area, in the order of ``ids``."""
    require(user, Capability.VIEW_HEALTH)
    spouses, states = labels(Checkup, "spouse"), labels(Referral, "state")
    found = Referral.objects.visible_to(user).filter(pk__in=ids)
    rows = (
        TaskRow(
            **_row_fields(values[:-2], states),
            spouse_label=spouses[values[-2]],
            completed_on=values[-1],
        )
        for values in found.values_list(*_ROW_VALUES, "checkup__spouse", "completed_on")
    )
    return in_order(rows, list(ids))


def worklist_viewed(*, actor: Actor, object_type: str, detail: dict[str, object]) -> None:
    """A list of health tasks names couples: its read is audited (filters, not names)."""
    require(actor, Capability.VIEW_HEALTH)
    with transaction.atomic():
        audit.record(action=Action.SEARCH, actor=actor, object_type=object_type, detail=detail)


def followup_list(
    *,
    user: User,
    state: str = "",
    kind: str = "",
    assignee_id: int | None = None,
    due_before: dt.date | None = None,
) -> QuerySet[FollowUp]:
    """Target couples' follow-ups in the user's area; ``due_before``: due strictly before
    that day. (Governance follows the other pregnancies on its own pages.) A worklist page
    reads its rows with ``followup_rows``."""
    require(user, Capability.VIEW_HEALTH)
    followups = _with_spouses(
        FollowUp.objects.visible_to(user)
        .filter(couple__isnull=False)
        .select_related("couple__community", "assignee")
        .defer("findings")
    )
    if state:
        followups = followups.filter(state=state)
    if kind:
        followups = followups.filter(kind=kind)
    if assignee_id:
        followups = followups.filter(assignee_id=assignee_id)
    if due_before is not None:
        followups = followups.filter(due_date__lt=due_before)
    return followups.order_by("due_date", "pk")


def referral_list(
    *,
    user: User,
    state: str = "",
    assignee_id: int | None = None,
    due_before: dt.date | None = None,
) -> QuerySet[Referral]:
    """Referrals in the user's area; ``due_before``: due strictly before that day. A worklist
    page reads its rows with ``referral_rows``."""
    require(user, Capability.VIEW_HEALTH)
    referrals = _with_spouses(
        Referral.objects.visible_to(user)
        .select_related("couple__community", "assignee", "checkup")
        .defer("result")
    )
    if state:
        referrals = referrals.filter(state=state)
    if assignee_id:
        referrals = referrals.filter(assignee_id=assignee_id)
    if due_before is not None:
        referrals = referrals.filter(due_date__lt=due_before)
    return referrals.order_by("due_date", "pk")


def followup_visible(*, user: User, followup_id: int) -> FollowUp:
    """One follow-up in the user's area, with its pregnancy, else NotFound."""
    return visible_or_404(
        followup_list(user=user).select_related("pregnancy"), user=user, pk=followup_id
    )


def referral_visible(*, user: User, referral_id: int) -> Referral:
    """One referral in the user's area, else NotFound."""
    return visible_or_404(referral_list(user=user), user=user, pk=referral_id)


@dataclass
class WorkerLoad:
    """One worker's overdue tasks."""

    worker: User
    followups: int = 0
    referrals: int = 0

    @property
    def total(self) -> int:
        return self.followups + self.referrals


@dataclass
class Overdue:
    """Open tasks past their due date in the user's area, and how they split over workers."""

    followups: list[TaskRow]
    referrals: list[TaskRow]
    workers: list[WorkerLoad] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        """The lists show the oldest ``limit`` of each kind; the worker counts are complete."""
        return sum(w.followups for w in self.workers) > len(self.followups) or sum(
            w.referrals for w in self.workers
        ) > len(self.referrals)


def overdue(
    *, user: User, today: dt.date, assignee_id: int | None = None, limit: int = 300
) -> Overdue:
    followups = followup_list(
        user=user, state=TaskState.OPEN, assignee_id=assignee_id, due_before=today
    )
    referrals = referral_list(
        user=user, state=TaskState.OPEN, assignee_id=assignee_id, due_before=today
    )
    loads: dict[int, WorkerLoad] = {}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for name, tasks in (("followups", followups), ("referrals", referrals)):
        for row in tasks.order_by().values("assignee").annotate(n=Count("pk")):
            counts[row["assignee"]][name] = row["n"]
    workers = {u.pk: u for u in User.objects.filter(pk__in=counts)}
    for worker_id, numbers in counts.items():
        loads[worker_id] = WorkerLoad(worker=workers[worker_id], **numbers)
    followup_ids = list(followups.values_list("pk", flat=True)[:limit])
    referral_ids = list(referrals.values_list("pk", flat=True)[:limit])
    return Overdue(
        followups=followup_rows(user=user, ids=followup_ids),
        referrals=referral_rows(user=user, ids=referral_ids),
        workers=sorted(loads.values(), key=lambda load: (-load.total, load.worker.username)),
    )


@dataclass(frozen=True)
class DueCounts:
    """The user's own open tasks: overdue, and due within ``DUE_SOON_DAYS``."""

    overdue: int
    due_soon: int


def my_due_counts(*, user: User, today: dt.date) -> DueCounts:
    require(user, Capability.VIEW_HEALTH)
    overdue = due_soon = 0
    # Both counts of both kinds in one query, each kind from its own-task index alone (it
    # holds the scope's community); compiled once per day and scope, as the home page asks
    # on every visit.
    for late, soon in _own_due_read(today).all(user, user.pk):
        overdue, due_soon = overdue + late, due_soon + soon
    return DueCounts(overdue=overdue, due_soon=due_soon)


# Today's read, and yesterday's for a request that began before midnight.
@lru_cache(maxsize=2)
def _own_due_read(today: dt.date) -> PreparedRows[tuple[int, int]]:
    soon = today + dt.timedelta(days=DUE_SOON_DAYS + 1)

    def counts(user: Any, assignee: int, model: type[FollowUp | Referral]) -> QuerySet[Any]:
        return (
            model.objects.visible_to(user)
            .filter(assignee_id=assignee, state=TaskState.OPEN, due_date__lt=soon)
            .values("state")
            .annotate(
                overdue=Count("pk", filter=Q(due_date__lt=today)),
                due_soon=Count("pk", filter=Q(due_date__gte=today)),
            )
            .values_list("overdue", "due_soon")
        )

    return PreparedRows(
        lambda user, assignee: counts(user, assignee, FollowUp).union(
            counts(user, assignee, Referral), all=True
        )
    )
