"""Follow-ups and referrals that fall due: lists, the overdue worklist per worker, home counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.lookups import visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.prepregnancy.models import FollowUp, Referral, TaskState
from jisheng.registry.models import Person

# The home panel also warns of what falls due within this many days.
DUE_SOON_DAYS = 7


# What a list page shows of a task, beside its own columns below: the couple's community
# and worker's names. A page of rows builds six model objects per row; reading only these
# columns (no timestamps, no encrypted text) halves the page's CPU time.
_SHOWN = (
    "couple__community__name",
    "couple__husband__name",
    "couple__wife__name",
    "assignee__full_name",
    "assignee__username",
    "due_date",
    "state",
)


def _with_spouses[T: FollowUp | Referral](tasks: QuerySet[T], *, shown_only: bool) -> QuerySet[T]:
    """The page's spouses, never joined to every task of the area (and without their
    encrypted columns). A list page (``shown_only``) finds its page's ids first
    (``page_of(..., ids_first=True)``): its spouses' names are joined to those rows alone,
    where fetching them afterwards cost two more queries and Django's prefetch machinery
    (about 2 ms of a 9 ms page). Other reads fetch the spouses for the rows they take."""
    if shown_only:
        return tasks.select_related("couple__husband", "couple__wife")
    spouses = Person.objects.defer("id_number", "phone")
    return tasks.prefetch_related(
        Prefetch("couple__husband", queryset=spouses), Prefetch("couple__wife", queryset=spouses)
    )


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
    shown_only: bool = False,
) -> QuerySet[FollowUp]:
    """Target couples' follow-ups in the user's area; ``due_before``: due strictly before
    that day; ``shown_only``: only the columns the list page shows. (Governance follows the
    other pregnancies on its own pages.)"""
    require(user, Capability.VIEW_HEALTH)
    followups = _with_spouses(
        FollowUp.objects.visible_to(user)
        .filter(couple__isnull=False)
        .select_related("couple__community", "assignee")
        .defer("findings"),
        shown_only=shown_only,
    )
    if shown_only:
        followups = followups.only(*_SHOWN, "kind")
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
    shown_only: bool = False,
) -> QuerySet[Referral]:
    """Referrals in the user's area; ``due_before``: due strictly before that day;
    ``shown_only``: only the columns the list page shows."""
    require(user, Capability.VIEW_HEALTH)
    referrals = _with_spouses(
        Referral.objects.visible_to(user)
        .select_related("couple__community", "assignee", "checkup")
        .defer("result"),
        shown_only=shown_only,
    )
    if shown_only:
        referrals = referrals.only(*_SHOWN, "checkup__spouse", "completed_on")
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

    followups: list[FollowUp]
    referrals: list[Referral]
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
    return Overdue(
        followups=list(followups[:limit]),
        referrals=list(referrals[:limit]),
        workers=sorted(loads.values(), key=lambda load: (-load.total, load.worker.username)),
    )


@dataclass(frozen=True)
class DueCounts:
    """The user's own open tasks: overdue, and due within ``DUE_SOON_DAYS``."""

    overdue: int
    due_soon: int


def my_due_counts(*, user: User, today: dt.date) -> DueCounts:
    require(user, Capability.VIEW_HEALTH)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS + 1)
    counts = {"overdue": 0, "due_soon": 0}
    for tasks in (
        FollowUp.objects.visible_to(user).filter(state=TaskState.OPEN, assignee=user),
        Referral.objects.visible_to(user).filter(state=TaskState.OPEN, assignee=user),
    ):
        # Both counts in one read of the user's open tasks (the home page asks on every visit).
        found = tasks.filter(due_date__lt=soon).aggregate(
            overdue=Count("pk", filter=Q(due_date__lt=today)),
            due_soon=Count("pk", filter=Q(due_date__gte=today)),
        )
        counts["overdue"] += found["overdue"]
        counts["due_soon"] += found["due_soon"]
    return DueCounts(**counts)
