"""Reads of the benefits module, always scoped to the user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits.eligibility import persons_meeting
from jisheng.benefits.models import (
    Application,
    DisabilityRecord,
    EligibleSnapshot,
    EligibleSnapshotRow,
    Entitlement,
    Objection,
    Payment,
    PaymentBatch,
    Program,
    PublicNotice,
    ReviewCampaign,
    ReviewItem,
    Transition,
    Unit,
)
from jisheng.benefits.models.payments import BATCH_BUILD_KIND
from jisheng.benefits.models.programs import period_label
from jisheng.benefits.models.reverification import FLAG_KINDS
from jisheng.benefits.models.workflow import OPEN_STATES, State
from jisheng.core.actors import Actor
from jisheng.core.choices import labels
from jisheng.core.errors import Conflict, NotFound
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit, TaskProgress
from jisheng.core.pages import in_order
from jisheng.core.permissions import require
from jisheng.core.progress import progress_for_owner
from jisheng.core.roles import Capability
from jisheng.registry.models import LifeEvent, Marriage, Person

_PERSON_SECRETS = ("id_number", "phone")
_LIVE_STATUSES = (Payment.Status.PENDING, Payment.Status.PAID)


def program_list(user: User, *, status: str = "") -> QuerySet[Program]:
    require(user, Capability.VIEW_PERSONAL)
    programs = Program.objects.visible_to(user)
    return programs.filter(status=status) if status else programs


def program_choices(user: User) -> QuerySet[Program]:
    """``program_list`` with only what a filter's options show (code and name): the
    programs' rules and amounts are JSON columns, decoded for every program read whole."""
    return program_list(user).only("code", "name")


def program_get(user: User, code: str) -> Program:
    require(user, Capability.VIEW_PERSONAL)
    program = Program.objects.visible_to(user).filter(code=code).first()
    if program is None:
        raise NotFound()
    return program


def program_by_id(user: User, program_id: int) -> Program:
    """A program the user may see, by id (the API's forms name programs by id)."""
    require(user, Capability.VIEW_PERSONAL)
    return visible_or_404(Program, user=user, pk=program_id)


def eligible_persons(*, user: User, program: Program, as_of: dt.date) -> QuerySet[Person]:
    """Residents in scope who meet the rule on ``as_of`` and are neither enrolled nor applying.

    A couple program lists each couple once (``spouse_name`` names the other spouse): a
    couple already enrolled or applying through either spouse is left out, and of a couple
    where both qualify only the spouse with the lower record number is listed."""
    require(user, Capability.APPLY_BENEFITS)
    if refusal := program.eligible_search_refusal():
        raise Conflict(refusal, code="program_not_searchable")
    enrolled = Entitlement.objects.filter(program=program, status=Entitlement.Status.ACTIVE)
    applying = Application.objects.filter(program=program, state__in=OPEN_STATES)
    taken = Q(pk__in=enrolled.values("person_id")) | Q(pk__in=applying.values("person_id"))
    couple = program.unit == Unit.COUPLE
    if couple:
        # Whoever is named as the spouse on a record is taken too, and so is anyone whose
        # current spouse is taken under any name.
        taken_ids = Person.objects.filter(
            Q(pk__in=enrolled.values("person_id"))
            | Q(pk__in=enrolled.values("spouse_id"))
            | Q(pk__in=applying.values("person_id"))
            | Q(pk__in=applying.values("spouse_id"))
        ).values("pk")
        current = Marriage.objects.filter(end_date__isnull=True)
        taken = (
            Q(pk__in=taken_ids)
            | Q(pk__in=current.filter(wife__in=taken_ids).values("husband_id"))
            | Q(pk__in=current.filter(husband__in=taken_ids).values("wife_id"))
        )
    candidates = Person.objects.visible_to(user).exclude(taken)
    meeting = persons_meeting(program.rule, as_of, candidates)
    persons = Person.objects.visible_to(user).filter(pk__in=meeting)
    if couple:
        current = Marriage.objects.filter(end_date__isnull=True)
        # Both spouses qualify: list the one with the lower record number.
        second = current.filter(
            husband__in=meeting, wife__in=meeting, husband__lt=F("wife")
        ).values("wife_id")
        first = current.filter(husband__in=meeting, wife__in=meeting, wife__lt=F("husband")).values(
            "husband_id"
        )
        persons = persons.exclude(pk__in=second).exclude(pk__in=first)
        spouse_name: Coalesce | Value = Coalesce(
            Subquery(current.filter(husband=OuterRef("pk")).values("wife__name")[:1]),
            Subquery(current.filter(wife=OuterRef("pk")).values("husband__name")[:1]),
        )
    else:
        spouse_name = Value(None, output_field=CharField())
    return (
        persons.annotate(spouse_name=spouse_name)
        .select_related("community")
        .defer(*_PERSON_SECRETS)
        .order_by("community__code", "name", "pk")
    )


def find_eligible_recorded(*, actor: Actor, program: Program, count: int) -> None:
    """A whole-scope search of personal facts is itself audited (counts only)."""
    with transaction.atomic():
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            obj=program,
            detail={"find_eligible": True, "count": count},
        )


# ----------------------------------------------------------------------- find-eligible snapshots

SNAPSHOT_PAGE = 100
_SEEK_KEY = ("community_code", "name", "person_id")


@dataclass(frozen=True)
class Snapshots:
    """The snapshots a find-eligible page shows: the latest done (``current``, read) and the
    newest of any state (``newest``: running, failed, or the current one)."""

    current: EligibleSnapshot | None
    newest: EligibleSnapshot | None

    @property
    def running(self) -> EligibleSnapshot | None:
        newest = self.newest
        return newest if newest is not None and not newest.progress.finished else None

    @property
    def failed(self) -> EligibleSnapshot | None:
        newest = self.newest
        failed = newest is not None and newest.progress.state == TaskProgress.State.FAILED
        return newest if failed else None


def snapshots_for(user: User, program: Program, as_of: dt.date) -> Snapshots:
    """The snapshots of (program, day, the user's own unit) the user may see."""
    require(user, Capability.APPLY_BENEFITS)
    taken = (
        EligibleSnapshot.objects.visible_to(user)
        .filter(program=program, as_of=as_of, org_unit_id=user.org_unit_id)
        .select_related("progress", "program", "org_unit")
        .order_by("-queued_at", "-pk")
    )
    return Snapshots(
        current=taken.filter(progress__state=TaskProgress.State.DONE).first(),
        newest=taken.first(),
    )


def snapshot_for(user: User, snapshot_id: int) -> EligibleSnapshot:
    """One snapshot of the user's unit or below; any other is "not found"."""
    require(user, Capability.APPLY_BENEFITS)
    return visible_or_404(
        EligibleSnapshot.objects.select_related("progress", "program", "org_unit"),
        user=user,
        pk=snapshot_id,
    )


def snapshot_stale(snapshot: EligibleSnapshot, *, now: dt.datetime | None = None) -> bool:
    """True when the snapshot may no longer say who qualifies: a life event (or disability
    grade) in its scope was recorded after its high-water mark, the program was edited after
    it was taken, or it is older than ``JISHENG_SNAPSHOT_MAX_AGE_HOURS``."""
    if snapshot.taken_at is None:
        return True
    max_age = dt.timedelta(hours=settings.JISHENG_SNAPSHOT_MAX_AGE_HOURS)
    if (now or timezone.now()) - snapshot.taken_at > max_age:
        return True
    if snapshot.program.updated_at > snapshot.taken_at:
        return True
    # Events after the mark are the newest few: a range of the primary key, not a scan.
    scope = OrgUnit.objects.filter(path__startswith=snapshot.org_unit.path).values("pk")
    if LifeEvent.objects.filter(pk__gt=snapshot.event_mark, community__in=scope).exists():
        return True
    return DisabilityRecord.objects.filter(
        pk__gt=snapshot.disability_mark, person__community__in=scope
    ).exists()


@dataclass(frozen=True)
class SnapshotPage:
    """One page of a snapshot by its sort key: residents (``spouse_name`` set) and cursors."""

    persons: list[Person]
    has_previous: bool
    has_next: bool
    # The first and last resident's id of the page as read (before dropping anyone taken).
    first_id: int | None
    last_id: int | None


def _seek(anchor: tuple[str, str, int], *, forward: bool) -> Q:
    code, name, person_id = anchor
    op = "gt" if forward else "lt"
    return (
        Q(**{f"community_code__{op}": code})
        | Q(community_code=code, **{f"name__{op}": name})
        | Q(community_code=code, name=name, **{f"person_id__{op}": person_id})
    )


def snapshot_page(
    user: User,
    snapshot: EligibleSnapshot,
    *,
    after: int | None = None,
    before: int | None = None,
    per_page: int = SNAPSHOT_PAGE,
) -> SnapshotPage:
    """The page after (or before) the resident ``after`` (``before``), seeking the sort key's
    index, nothing counted; residents enrolled or applying since the snapshot are left out."""
    require(user, Capability.APPLY_BENEFITS)
    rows = EligibleSnapshotRow.objects.visible_to(user).filter(snapshot=snapshot)
    cursor = after if after is not None else before
    if after is not None:
        before = None  # both given: forwards
    anchor = (
        rows.filter(person_id=cursor).values_list(*_SEEK_KEY).first()
        if cursor is not None
        else None
    )
    columns = (*_SEEK_KEY, "spouse_name")
    backwards = [f"-{field}" for field in _SEEK_KEY]
    if anchor is None:
        found = list(rows.order_by(*_SEEK_KEY).values_list(*columns)[: per_page + 1])
        has_previous, has_next = False, len(found) > per_page
        found = found[:per_page]
    elif before is None:
        seek = rows.filter(_seek(anchor, forward=True)).order_by(*_SEEK_KEY)
        found = list(seek.values_list(*columns)[: per_page + 1])
        has_previous, has_next = True, len(found) > per_page
        found = found[:per_page]
    else:
        # Backwards through the same index, then put back in reading order.
        seek = rows.filter(_seek(anchor, forward=False)).order_by(*backwards)
        found = list(seek.values_list(*columns)[: per_page + 1])
        has_previous, has_next = len(found) > per_page, True
        found = found[:per_page][::-1]
    ids = [row[2] for row in found]
    taken = _taken_since(snapshot.program, ids)
    persons = (
        Person.objects.visible_to(user)
        .filter(pk__in=[pk for pk in ids if pk not in taken])
        .select_related("community")
        .defer(*_PERSON_SECRETS)
        .in_bulk()
    )
    listed = []
    for _code, _name, person_id, spouse_name in found:
        person = persons.get(person_id)
        if person is not None:
            person.spouse_name = spouse_name or None  # type: ignore[attr-defined]
            listed.append(person)
    return SnapshotPage(
        persons=listed,
        has_previous=has_previous,
        has_next=has_next,
        first_id=ids[0] if ids else None,
        last_id=ids[-1] if ids else None,
    )


def _taken_since(program: Program, person_ids: list[int]) -> set[int]:
    """Of ``person_ids``, who is enrolled in or applying for ``program`` now, themself or
    named as the spouse on a couple's record (only the page's ids are looked up)."""
    if not person_ids:
        return set()
    named = Q(person_id__in=person_ids) | Q(spouse_id__in=person_ids)
    enrolled = Entitlement.objects.filter(named, program=program, status=Entitlement.Status.ACTIVE)
    applying = Application.objects.filter(named, program=program, state__in=OPEN_STATES)
    taken: set[int] = set()
    for records in (enrolled, applying):
        for person_id, spouse_id in records.values_list("person_id", "spouse_id"):
            taken.update((person_id, spouse_id))
    return taken


def application_list(
    user: User, *, program: Program | None = None, state: str = "", community_id: int | None = None
) -> QuerySet[Application]:
    require(user, Capability.VIEW_PERSONAL)
    applications = (
        Application.objects.visible_to(user)
        .select_related("program", "person", "community", "notice")
        .defer(*(f"person__{field}" for field in _PERSON_SECRETS), "bank_account")
    )
    if program is not None:
        applications = applications.filter(program=program)
    if state:
        applications = applications.filter(state=state)
    if community_id:
        applications = applications.filter(community_id=community_id)
    return applications


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """An application as a row of the application list shows it, read as values: built as
    model objects, each row was an application, its program, its person and its community."""

    pk: int
    program_name: str
    person_name: str
    person_id_number_masked: str
    community_name: str
    created_at: dt.datetime
    state: str
    state_label: str  # get_state_display()


def application_rows(*, user: User, ids: Sequence[int]) -> list[ApplicationRow]:
    """The application list's rows of these applications in the user's scope, in the order
    of ``ids``; ids outside the scope give no row."""
    require(user, Capability.VIEW_PERSONAL)
    states = labels(Application, "state")
    found = Application.objects.visible_to(user).filter(pk__in=ids)
    rows = (
        ApplicationRow(
            pk=pk,
            program_name=program,
            person_name=person,
            person_id_number_masked=masked,
            community_name=community,
            created_at=created_at,
            state=state,
            # A value without a label shows as itself, as get_FOO_display shows it.
            state_label=states.get(state, state),
        )
        for pk, program, person, masked, community, created_at, state in found.values_list(
            "pk",
            "program__name",
            "person__name",
            "person__id_number_masked",
            "community__name",
            "created_at",
            "state",
        )
    )
    return in_order(rows, list(ids))


def application_detail(*, actor: Actor, application_id: int) -> Application:
    """One application with its person's details; the read is audited."""
    require(actor, Capability.VIEW_PERSONAL)
    application = visible_or_404(
        Application.objects.select_related(
            "program", "person", "payee", "spouse", "community", "notice", "created_by"
        ),
        user=actor.user,
        pk=application_id,
    )
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=application)
    return application


def notice_list(user: User) -> QuerySet[PublicNotice]:
    require(user, Capability.VIEW_PERSONAL)
    return (
        PublicNotice.objects.visible_to(user)
        .select_related("program", "org_unit")
        .annotate(count=Count("applications"))
    )


def notice_entries(user: User, notice: PublicNotice) -> QuerySet[Application]:
    require(user, Capability.VIEW_PERSONAL)
    return (
        Application.objects.visible_to(user)
        .filter(notice=notice)
        .select_related("person", "community", "payee")
        .defer(*(f"person__{field}" for field in _PERSON_SECRETS), "bank_account")
        .order_by("community__code", "pk")
    )


def reviewed_on(application_ids: Collection[int]) -> dict[int, dt.date]:
    """The local day each application last passed street review (absent: never reviewed).

    An application goes on a public notice only once reviewed, so this is the first day it
    can have been listed; a notice starting earlier cannot count for it."""
    last = (
        Transition.objects.filter(application_id__in=application_ids, action="review")
        .values("application_id")
        .annotate(at=Max("at"))
    )
    return {row["application_id"]: timezone.localdate(row["at"]) for row in last}


@dataclass(frozen=True)
class Listing:
    """The days one application was on its notice: ``full`` when it was the whole period."""

    application: Application
    listed_from: dt.date
    listed_until: dt.date
    full: bool


def notice_listings(user: User, notice: PublicNotice) -> list[Listing]:
    """Each application on the notice with the days it was really listed.

    Listed from the later of the notice's start and the day it passed street review, until
    the earlier of the notice's end and the day it was taken off (returned or rejected)."""
    entries = list(notice_entries(user, notice))
    reviewed = reviewed_on([entry.pk for entry in entries])
    taken_off = {
        row["application_id"]: timezone.localdate(row["at"])
        for row in Transition.objects.filter(
            application__in=entries,
            from_state=State.IN_NOTICE,
            at__gte=notice.published_at,
        )
        .exclude(action="approve")
        .values("application_id")
        .annotate(at=Min("at"))
    }
    listings = []
    for entry in entries:
        start = max(notice.starts_on, reviewed.get(entry.pk, notice.starts_on))
        end = min(notice.ends_on, taken_off.get(entry.pk, notice.ends_on))
        full = start == notice.starts_on and end == notice.ends_on
        listings.append(Listing(entry, start, end, full))
    return listings


def notice_objections(user: User, notice: PublicNotice) -> QuerySet[Objection]:
    require(user, Capability.VIEW_PERSONAL)
    return (
        Objection.objects.visible_to(user)
        .filter(notice=notice)
        .select_related("application__person", "recorded_by", "resolved_by")
        .defer("objector_contact")
    )


def reviewable_applications(user: User, program: Program) -> QuerySet[Application]:
    """Street-reviewed applications that can go on a notice."""
    return application_list(user, program=program, state="street_reviewed")


def entitlement_list(
    user: User, *, program: Program | None = None, status: str = ""
) -> QuerySet[Entitlement]:
    require(user, Capability.VIEW_PERSONAL)
    entitlements = (
        Entitlement.objects.visible_to(user)
        .select_related("program", "person", "payee", "community")
        .defer(*(f"person__{field}" for field in _PERSON_SECRETS))
    )
    if program is not None:
        entitlements = entitlements.filter(program=program)
    if status:
        entitlements = entitlements.filter(status=status)
    return entitlements


def person_benefits(user: User, person: Person) -> dict[str, Any]:
    require(user, Capability.VIEW_PERSONAL)
    return {
        "entitlements": entitlement_list(user).filter(person=person),
        "applications": application_list(user).filter(person=person),
        "payments": Payment.objects.visible_to(user)
        .filter(person=person)
        .select_related("program", "batch")
        .order_by("-period", "-pk"),
    }


def person_disabilities(user: User, person: Person) -> QuerySet[DisabilityRecord]:
    require(user, Capability.VIEW_PERSONAL)
    return DisabilityRecord.objects.visible_to(user).filter(person=person).order_by("-recorded_on")


def batch_detail(user: User, batch_id: int) -> PaymentBatch:
    """One batch in scope, for those who approve payments (as its page)."""
    require(user, Capability.APPROVE_BENEFITS)
    return visible_or_404(
        PaymentBatch.objects.select_related("program", "org_unit"), user=user, pk=batch_id
    )


def batch_list(user: User, *, program: Program | None = None) -> QuerySet[PaymentBatch]:
    require(user, Capability.APPROVE_BENEFITS)
    batches = PaymentBatch.objects.visible_to(user).select_related("program", "org_unit")
    if program is not None:
        batches = batches.filter(program=program)
    return batches


@dataclass(frozen=True, slots=True)
class BatchRow:
    """A payment batch as a row of the batch list shows it, read as values: built as model
    objects, each row was a batch, its program (with its rules' JSON columns decoded) and its
    unit."""

    pk: int
    program_name: str  # str(program)
    period_label: str
    is_correction: bool
    imported_history: bool
    org_unit_name: str  # str(org_unit)
    state_label: str  # get_state_display()
    built_at: dt.datetime
    approved_total: Decimal | None


def batch_rows(*, user: User, ids: Sequence[int]) -> list[BatchRow]:
    """The batch list's rows of these batches in the user's scope, in the order of ``ids``;
    ids outside the scope give no row."""
    require(user, Capability.APPROVE_BENEFITS)
    states = labels(PaymentBatch, "state")
    found = PaymentBatch.objects.visible_to(user).filter(pk__in=ids)
    rows = (
        BatchRow(
            pk=pk,
            program_name=program,
            period_label=period_label(period),
            is_correction=bool(correction_reason),
            imported_history=imported_history,
            org_unit_name=org_unit,
            # A value without a label shows as itself, as get_FOO_display shows it.
            state_label=states.get(state, state),
            built_at=built_at,
            approved_total=approved_total,
        )
        for (
            pk,
            program,
            period,
            correction_reason,
            imported_history,
            org_unit,
            state,
            built_at,
            approved_total,
        ) in found.values_list(
            "pk",
            "program__name",
            "period",
            "correction_reason",
            "imported_history",
            "org_unit__name",
            "state",
            "built_at",
            "approved_total",
        )
    )
    return in_order(rows, list(ids))


@dataclass(frozen=True)
class BatchTotals:
    lines: int
    total: Decimal
    pending: Decimal
    paid: Decimal
    failed: Decimal
    reversed: Decimal
    net_paid: Decimal
    counts: dict[str, int]
    # Correction lines (paying reversed payments again): how many, and how much was paid.
    corrections: int
    corrected: Decimal


def batch_totals(batch: PaymentBatch) -> BatchTotals:
    """Sums by status; reversal lines are negative, so net paid reconciles to the cent."""
    zero = Decimal("0.00")
    rows = batch.lines.values("kind", "status").annotate(n=Count("pk"), amount=Sum("amount"))
    corrections = batch.lines.filter(corrects__isnull=False).aggregate(
        n=Count("pk"),
        paid=Coalesce(Sum("amount", filter=Q(status=Payment.Status.PAID)), Decimal("0.00")),
    )
    by: dict[tuple[str, str], tuple[int, Decimal]] = {
        (row["kind"], row["status"]): (row["n"], row["amount"] or zero) for row in rows
    }

    def amount(kind: str, status: str) -> Decimal:
        return by.get((kind, status), (0, zero))[1]

    payment, reversal = Payment.Kind.PAYMENT, Payment.Kind.REVERSAL
    total = sum((amount(payment, s) for s in Payment.Status.values), zero)
    counts = {s: by.get((payment, s), (0, zero))[0] for s in Payment.Status.values}
    paid = amount(payment, Payment.Status.PAID)
    reversed_amount = amount(payment, Payment.Status.REVERSED)
    return BatchTotals(
        lines=sum(counts.values()),
        total=total,
        pending=amount(payment, Payment.Status.PENDING),
        paid=paid,
        failed=amount(payment, Payment.Status.FAILED),
        reversed=reversed_amount,
        net_paid=paid + reversed_amount + amount(reversal, Payment.Status.PAID),
        counts=counts,
        corrections=corrections["n"],
        corrected=corrections["paid"],
    )


@dataclass(frozen=True)
class BatchBuild:
    """A background batch build: how far it got, for which program, and the batch once built."""

    progress: TaskProgress
    program: Program
    batch: PaymentBatch | None


def batch_build_for(user: User, progress_id: int) -> BatchBuild:
    """A batch build the user started themself; any other progress is "not found"."""
    require(user, Capability.REVIEW_BENEFITS)
    progress = progress_for_owner(progress_id, user.pk)
    kind, _sep, rest = progress.kind.partition(":")
    program_id = rest.partition(":")[0]
    if kind != BATCH_BUILD_KIND or not program_id.isdigit():
        raise NotFound()
    batch = PaymentBatch.objects.visible_to(user).filter(build_progress=progress).first()
    return BatchBuild(progress=progress, program=program_by_id(user, int(program_id)), batch=batch)


def payment_for(user: User, payment_id: int) -> Payment:
    """One payment line in scope, with its batch, program and person (no secrets)."""
    require(user, Capability.REVIEW_BENEFITS)
    return visible_or_404(
        Payment.objects.select_related("batch", "program", "person", "community").defer(
            *(f"person__{field}" for field in _PERSON_SECRETS)
        ),
        user=user,
        pk=payment_id,
    )


def batch_lines(user: User, batch: PaymentBatch, *, status: str = "") -> QuerySet[Payment]:
    """The lines of a batch in scope; ``corrected``: a reversed line already paid again."""
    require(user, Capability.APPROVE_BENEFITS)
    corrected = Payment.objects.filter(
        corrects=OuterRef("pk"), status__in=[*_LIVE_STATUSES, Payment.Status.REVERSED]
    )
    lines = (
        Payment.objects.visible_to(user)
        .filter(batch=batch)
        .select_related("person", "payee", "community", "corrects")
        .defer(*(f"{rel}__{field}" for rel in ("person", "payee") for field in _PERSON_SECRETS))
        .annotate(corrected=Exists(corrected))
        .order_by("community__code", "pk")
    )
    return lines.filter(status=status) if status else lines


def program_year_totals(user: User, *, year: int) -> list[dict[str, Any]]:
    """Persons paid and net amount per program and community in one year (by period start).

    A reversed payment nets to nothing with its reversal line and its person counts only
    when paid again, by a correction (``corrected``: the amount those corrections paid).
    """
    require(user, Capability.VIEW_PERSONAL)
    rows = (
        Payment.objects.visible_to(user)
        .filter(batch__period_start__year=year)
        .filter(Q(kind=Payment.Kind.REVERSAL) | Q(status__in=["paid", "reversed"]))
        .values("program__name", "program__code", "community__name", "community__code")
        .annotate(
            # Reversal lines are "paid" too: only payment lines count a unit as paid. A
            # couple or household counts once (its unit), a line without one by its person.
            persons=Count(
                Coalesce(NullIf("unit_key", Value("")), Cast("person_id", CharField())),
                distinct=True,
                filter=Q(kind=Payment.Kind.PAYMENT, status=Payment.Status.PAID),
            ),
            # Before ``amount``: once annotated, that name means the sum, not the field.
            corrected=Coalesce(
                Sum(
                    "amount",
                    filter=Q(corrects__isnull=False, status=Payment.Status.PAID),
                ),
                Decimal("0.00"),
            ),
            amount=Coalesce(Sum("amount"), Decimal("0.00")),
        )
        .order_by("program__name", "community__code")
    )
    return [dict(row) for row in rows]


# ------------------------------------------------------------------------------- re-verification


def review_programs(user: User) -> QuerySet[Program]:
    """Programs a re-verification can be opened for: those in scope that have not ended."""
    require(user, Capability.VIEW_PERSONAL)
    return Program.objects.visible_to(user).exclude(status=Program.Status.ENDED)


def campaign_list(user: User) -> QuerySet[ReviewCampaign]:
    """Campaigns in scope with their progress counts."""
    require(user, Capability.VIEW_PERSONAL)
    return (
        ReviewCampaign.objects.visible_to(user)
        .select_related("program", "org_unit", "created_by")
        .annotate(
            total=Count("items"),
            decided=Count("items", filter=~Q(items__decision=ReviewItem.Decision.PENDING)),
            stopped=Count("items", filter=Q(items__decision=ReviewItem.Decision.STOP)),
        )
        .order_by("-year", "program__name", "-pk")
    )


def campaign_detail(user: User, campaign_id: int) -> ReviewCampaign:
    require(user, Capability.VIEW_PERSONAL)
    return visible_or_404(campaign_list(user), user=user, pk=campaign_id)


@dataclass(frozen=True)
class CampaignProgress:
    total: int
    decided: int
    flagged: int
    confirmed: int
    stopped: int

    @property
    def pending(self) -> int:
        return self.total - self.decided

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.decided * 100 // self.total


def _flagged() -> Q:
    return Q(flags__0__kind__isnull=False)


def _has_flag(kind: str) -> Q:
    condition = Q()
    for position in range(len(FLAG_KINDS)):
        condition |= Q(**{f"flags__{position}__kind": kind})
    return condition


def campaign_progress(user: User, campaign: ReviewCampaign) -> CampaignProgress:
    require(user, Capability.VIEW_PERSONAL)
    counts = (
        ReviewItem.objects.visible_to(user)
        .filter(campaign=campaign)
        .aggregate(
            total=Count("pk"),
            decided=Count("pk", filter=~Q(decision=ReviewItem.Decision.PENDING)),
            flagged=Count("pk", filter=_flagged()),
            confirmed=Count("pk", filter=Q(decision=ReviewItem.Decision.CONFIRM)),
            stopped=Count("pk", filter=Q(decision=ReviewItem.Decision.STOP)),
        )
    )
    return CampaignProgress(**counts)


FLAG_FILTERS = ("flagged", "unflagged", *FLAG_KINDS)


def campaign_items(
    user: User, campaign: ReviewCampaign, *, flag: str = "", decision: str = ""
) -> QuerySet[ReviewItem]:
    """Items of a campaign in scope: flagged ones first, then by community and name.

    ``flag``: "flagged", "unflagged" or one flag kind; ``decision``: pending/confirm/stop.
    """
    require(user, Capability.VIEW_PERSONAL)
    items = (
        ReviewItem.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("community", "entitlement__person", "entitlement__payee", "decided_by")
        .defer(
            "entitlement__person__id_number",
            "entitlement__person__phone",
            "entitlement__payee__id_number",
            "entitlement__payee__phone",
        )
    )
    if flag == "flagged":
        items = items.filter(_flagged())
    elif flag == "unflagged":
        items = items.exclude(_flagged())
    elif flag in FLAG_KINDS:
        items = items.filter(_has_flag(flag))
    if decision:
        items = items.filter(decision=decision)
    flagged_first = Case(
        When(_flagged(), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return items.alias(flagged_first=flagged_first).order_by(
        "flagged_first", "community__code", "entitlement__person__name", "pk"
    )


def review_item_for(user: User, review_item_id: int) -> ReviewItem:
    require(user, Capability.VIEW_PERSONAL)
    items = ReviewItem.objects.select_related(
        "campaign", "community", "entitlement__person", "entitlement__payee"
    ).defer(
        "entitlement__person__id_number",
        "entitlement__person__phone",
        "entitlement__payee__id_number",
        "entitlement__payee__phone",
    )
    return visible_or_404(items, user=user, pk=review_item_id)


def pending_review_count(user: User) -> int:
    """Items still to decide in the user's campaigns (for a home-page worklist)."""
    return ReviewItem.objects.visible_to(user).filter(decision=ReviewItem.Decision.PENDING).count()
