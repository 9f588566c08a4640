"""The worklist of target couples and one couple's service file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, Min, Model, OuterRef, Prefetch, Q, QuerySet

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.choices import labels
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import in_order
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.prepregnancy import health, rules
from jisheng.prepregnancy.models import (
    Checkup,
    Contact,
    FollowUp,
    Pregnancy,
    Referral,
    SmsOptOut,
    Spouse,
    TargetCouple,
    WorklistRefresh,
)
from jisheng.prepregnancy.models.pregnancies import LIVE_OUTCOMES
from jisheng.prepregnancy.services.contacts import sms_recipients
from jisheng.registry.models import LifeEvent, Person

# Encrypted columns of the spouses that lists never decrypt.
SPOUSE_SECRETS = ("husband__id_number", "husband__phone", "wife__id_number", "wife__phone")


@dataclass(frozen=True)
class CoupleFilters:
    """Worklist filters; ``name`` matches the start of either spouse's name."""

    state: str = ""
    source: str = ""
    community_id: int | None = None
    name: str = ""

    def as_audit_detail(self) -> dict[str, object]:
        return {
            "state": self.state,
            "source": self.source,
            "community": self.community_id,
            "name": bool(self.name),
        }


def _checked(spouse: str) -> Exists:
    return Exists(Checkup.objects.filter(couple=OuterRef("pk"), spouse=spouse))


def _spouses_checked() -> dict[str, Exists]:
    """Which spouses of a file are checked: annotated on the list's files and on its page's
    rows alike."""
    return {"wife_checked": _checked(Spouse.WIFE), "husband_checked": _checked(Spouse.HUSBAND)}


def couple_list(*, user: User, filters: CoupleFilters | None = None) -> QuerySet[TargetCouple]:
    """Files in the user's area, waiting work first; each knows which spouse is checked.
    403 without a health duty (as every selector here that a page or the API calls).

    Sorted and limited on the row's own indexed columns (community, state rank, latest
    contact or entry); the spouses are fetched for the page's files only, afterwards."""
    spouses = Person.objects.defer("id_number", "phone")
    return (
        _worklist(user, filters or CoupleFilters())
        .select_related("community")
        .annotate(**_spouses_checked())
        .prefetch_related(Prefetch("husband", queryset=spouses), Prefetch("wife", queryset=spouses))
    )


def couple_pages(*, user: User, filters: CoupleFilters) -> QuerySet[TargetCouple]:
    """``couple_list`` as the list page pages it: the files alone, filtered and in order, no
    joins or checkup tests (the order needs neither); for ``page_of(..., ids_first=True,
    rows=...)``, which sorts and limits the ids, then reads the page's 50 with ``couple_rows``."""
    return _worklist(user, filters)


@dataclass(frozen=True, slots=True)
class CoupleRow:
    """A file as the worklist page's row shows it, read as values: built as model objects, a
    page's rows were four objects each (file, community, two spouses)."""

    pk: int
    wife_name: str
    wife_floating: bool
    husband_name: str
    husband_floating: bool
    community_name: str
    source_label: str
    entered_on: dt.date
    state: str
    state_label: str
    last_contact: dt.date | None
    wife_checked: bool
    husband_checked: bool


# What a row reads: the page's shown columns of the file, its spouses and community (no
# timestamps, marriage or encrypted columns), and which spouses are checked.
_ROW_VALUES = (
    "pk",
    "wife__name",
    "wife__is_floating",
    "husband__name",
    "husband__is_floating",
    "community__name",
    "source",
    "entered_on",
    "state",
    "last_contact",
    "wife_checked",
    "husband_checked",
)


def couple_rows(*, user: User, ids: Sequence[int]) -> list[CoupleRow]:
    """The worklist rows of these files in the user's area, in the order of ``ids``; which
    spouse is checked is tested for these files only."""
    require(user, Capability.VIEW_HEALTH)
    sources, states = labels(TargetCouple, "source"), labels(TargetCouple, "state")
    found = TargetCouple.objects.visible_to(user).filter(pk__in=ids).annotate(**_spouses_checked())
    rows = (
        CoupleRow(
            pk=pk,
            wife_name=wife,
            wife_floating=wife_floating,
            husband_name=husband,
            husband_floating=husband_floating,
            community_name=community,
            # as get_FOO_display: a value without a label shows as itself
            source_label=sources.get(source, source),
            entered_on=entered_on,
            state=state,
            state_label=states.get(state, state),
            last_contact=last_contact,
            wife_checked=wife_checked,
            husband_checked=husband_checked,
        )
        for (
            pk,
            wife,
            wife_floating,
            husband,
            husband_floating,
            community,
            source,
            entered_on,
            state,
            last_contact,
            wife_checked,
            husband_checked,
        ) in found.values_list(*_ROW_VALUES)
    )
    return in_order(rows, list(ids))


def _worklist(user: User, filters: CoupleFilters) -> QuerySet[TargetCouple]:
    """The files of the user's area that ``filters`` keep, in the worklist's order."""
    require(user, Capability.VIEW_HEALTH)
    couples = TargetCouple.objects.visible_to(user)
    if filters.state:
        couples = couples.filter(state=filters.state)
    if filters.source:
        couples = couples.filter(source=filters.source)
    if filters.community_id:
        couples = couples.filter(community_id=filters.community_id)
    if filters.name:
        couples = couples.filter(
            Q(wife__name__startswith=filters.name) | Q(husband__name__startswith=filters.name)
        )
    return couples.order_by("state_rank", "-worklist_date", "pk")


def couple_after(couples: QuerySet[TargetCouple], shown: int) -> int | None:
    """The file that follows the first ``shown`` of ``couples`` (a filtered worklist): the
    next letter to print after a page of letters (None after the last)."""
    following = couples.values_list("pk", flat=True)[shown : shown + 1]
    return next(iter(following), None)


def couples_from(
    *, user: User, filters: CoupleFilters, couple_id: int
) -> QuerySet[TargetCouple] | None:
    """The filtered worklist from this file on, in its order (None: the file is not on it).

    The letters printed next after a page was logged: logging moves the logged files (a
    contact changes their state and date), so the next letters are found from the file that
    followed the page, where it now stands, not by counting pages, which would skip letters
    or offer logged ones again. In the worklist's order: state rank, latest contact or entry
    first, id."""
    rows = _worklist(user, filters)
    found = rows.filter(pk=couple_id).values_list("state_rank", "worklist_date").first()
    if found is None:
        return None
    rank, day = found
    return rows.filter(
        Q(state_rank__gt=rank)
        | Q(state_rank=rank, worklist_date__lt=day)
        | Q(state_rank=rank, worklist_date=day, pk__gte=couple_id)
    )


def couple_count(*, user: User, state: str) -> int:
    require(user, Capability.VIEW_HEALTH)
    return TargetCouple.objects.visible_to(user).filter(state=state).count()


def couple_search_record(*, actor: Actor, filters: CoupleFilters) -> None:
    """Every worklist read is audited (what was filtered, not the names typed)."""
    require(actor, Capability.VIEW_HEALTH)
    with transaction.atomic():
        audit.record(
            action=Action.SEARCH,
            actor=actor,
            object_type="prepregnancy.targetcouple",
            detail=filters.as_audit_detail(),
        )


def record_form_view(*, actor: Actor, obj: Model, couple_id: int | None) -> None:
    """A form page names a couple in a health context (a checkup, a pregnancy, a follow-up,
    a referral): showing it is a read of that record, audited like the couple's page."""
    require(actor, Capability.VIEW_HEALTH)
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=obj, detail={"couple": couple_id})


def couple_visible(*, user: User, couple_id: int) -> TargetCouple:
    """One file in the user's area (spouses without decrypted fields), else NotFound."""
    return visible_or_404(couple_list(user=user), user=user, pk=couple_id)


def pregnancy_visible(*, user: User, pregnancy_id: int) -> Pregnancy:
    require(user, Capability.VIEW_HEALTH)
    return visible_or_404(Pregnancy.objects.select_related("couple"), user=user, pk=pregnancy_id)


@dataclass
class PregnancyRow:
    pregnancy: Pregnancy
    followups: list[FollowUp]
    birth_candidates: list[LifeEvent] = field(default_factory=list)


@dataclass(frozen=True)
class SpouseRow:
    spouse: str
    person: Person
    checkup: Checkup | None
    opted_out: bool


@dataclass
class CoupleFile:
    """Everything a couple's page shows; built by :func:`couple_file`, which audits the view."""

    couple: TargetCouple
    contacts: list[Contact]
    checkups: dict[str, Checkup]
    referrals: list[Referral]
    pregnancies: list[PregnancyRow]
    opted_out: set[str]
    sms_recipients: int

    @property
    def spouses(self) -> list[SpouseRow]:
        """Wife first: the checkups and follow-ups are mostly hers."""
        return [
            SpouseRow(
                spouse=spouse,
                person=self.couple.spouse(spouse),
                checkup=self.checkups.get(spouse),
                opted_out=spouse in self.opted_out,
            )
            for spouse in (Spouse.WIFE, Spouse.HUSBAND)
        ]

    @property
    def closed(self) -> bool:
        return self.couple.state in rules.CLOSED_STATES

    @property
    def missing_spouse(self) -> str | None:
        """The spouse still to be examined when only the other one was (and the file is
        still served: a closed file takes no more checkups)."""
        if len(self.checkups) != 1 or self.closed:
            return None
        return Spouse.HUSBAND if Spouse.WIFE in self.checkups else Spouse.WIFE

    @property
    def checked_before_closing(self) -> str | None:
        """The one spouse examined before the file closed (moved out, marriage ended): the
        state says "moved out", this keeps the checkup from being overlooked."""
        if len(self.checkups) != 1 or not self.closed:
            return None
        return next(iter(self.checkups))

    @property
    def open_pregnancy(self) -> Pregnancy | None:
        return next((row.pregnancy for row in self.pregnancies if row.pregnancy.is_open), None)


def birth_candidates(user: User, pregnancy: Pregnancy) -> list[LifeEvent]:
    """Registered births of the mother since the pregnancy began, not yet linked elsewhere."""
    require(user, Capability.VIEW_HEALTH)
    since = (pregnancy.last_period or pregnancy.reported_on) - dt.timedelta(days=30)
    return list(
        LifeEvent.objects.visible_to(user)
        .filter(
            kind=LifeEvent.Kind.BIRTH,
            other_person_id=pregnancy.woman_id,
            reversed_by__isnull=True,
            date__gte=since,
        )
        .exclude(pk__in=Pregnancy.objects.filter(birth_event__isnull=False).values("birth_event"))
        .select_related("person")
        .defer("person__id_number", "person__phone")
        .order_by("-date", "-pk")
    )


def couple_file(*, actor: Actor, couple_id: int) -> CoupleFile:
    """One couple's file with its records; the read is audited before it is returned."""
    require(actor, Capability.VIEW_HEALTH)
    user = actor.user
    couple = visible_or_404(
        TargetCouple.objects.select_related("community", "husband", "wife", "marriage"),
        user=user,
        pk=couple_id,
    )
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=couple)
    checkups = {
        c.spouse: c
        for c in Checkup.objects.visible_to(user)
        .filter(couple=couple)
        .select_related("recorded_by")
        .defer("results", "reproductive_history", "risk_factors", "advice")
    }
    pregnancies = []
    for pregnancy in (
        Pregnancy.objects.visible_to(user)
        .filter(couple=couple)
        .select_related("birth_event__person", "couple")
        .defer("outcome_details")
        .order_by("-reported_on", "-pk")
    ):
        followups = list(
            pregnancy.followups.select_related("assignee", "done_by")
            .defer("findings")
            .order_by("due_date", "pk")
        )
        row = PregnancyRow(pregnancy=pregnancy, followups=followups)
        if pregnancy.outcome in LIVE_OUTCOMES and pregnancy.birth_event_id is None:
            row.birth_candidates = birth_candidates(user, pregnancy)
        pregnancies.append(row)
    opted = set(
        SmsOptOut.objects.filter(person__in=[couple.husband_id, couple.wife_id]).values_list(
            "person_id", flat=True
        )
    )
    return CoupleFile(
        couple=couple,
        contacts=list(
            Contact.objects.visible_to(user)
            .filter(couple=couple)
            .select_related("worker")
            .order_by("-date", "-pk")
        ),
        checkups=checkups,
        referrals=list(
            Referral.objects.visible_to(user)
            .filter(couple=couple)
            .select_related("checkup", "assignee", "completed_by")
            .defer("result")
            .order_by("due_date", "pk")
        ),
        pregnancies=pregnancies,
        opted_out={spouse for spouse in Spouse.values if couple.spouse(spouse).pk in opted},
        sms_recipients=len(sms_recipients(couple)),
    )


@dataclass
class CheckupView:
    """A checkup with its encrypted parts decoded for display."""

    checkup: Checkup
    results: dict[str, str]
    history: health.ReproductiveHistory | None
    factor_codes: list[str]
    risk_note: str
    referral: Referral | None


def checkup_detail(*, actor: Actor, checkup_id: int) -> CheckupView:
    """One checkup with decrypted results; the read is audited before it is returned."""
    require(actor, Capability.VIEW_HEALTH)
    checkup = visible_or_404(
        Checkup.objects.select_related(
            "couple__husband", "couple__wife", "couple__community", "recorded_by"
        ).defer(*(f"couple__{name}" for name in SPOUSE_SECRETS)),
        user=actor.user,
        pk=checkup_id,
    )
    with transaction.atomic():
        audit.record(action=Action.VIEW, actor=actor, obj=checkup)
    factors = health.load(checkup.risk_factors) or {}
    return CheckupView(
        checkup=checkup,
        results=health.load(checkup.results) or {},
        history=health.history_from(health.load(checkup.reproductive_history)),
        factor_codes=list(factors.get("codes", [])),
        risk_note=str(factors.get("note", "")),
        referral=Referral.objects.visible_to(actor.user).filter(checkup=checkup).first(),
    )


@dataclass(frozen=True, slots=True)
class LetterRow:
    """A notice letter as printed: the couple's names and community, read as values (built
    as model objects, a batch of letters was four objects a couple)."""

    pk: int
    wife_name: str
    husband_name: str
    community_name: str


def letter_rows(*, actor: Actor, ids: Sequence[int]) -> list[LetterRow]:
    """The notice letters of these files in the actor's area, in the order of ``ids``: the
    page of the worklist being printed (``couple_pages``), or one couple's letter.

    Printing puts names on paper, so it is audited as an export.
    """
    require(actor, Capability.VIEW_HEALTH)
    found = (
        TargetCouple.objects.visible_to(actor.user)
        .filter(pk__in=ids)
        .values_list("pk", "wife__name", "husband__name", "community__name")
    )
    chosen = in_order((LetterRow(*values) for values in found), list(ids))
    with transaction.atomic():
        audit.record(
            action=Action.EXPORT,
            actor=actor,
            object_type="prepregnancy.targetcouple",
            detail={"letters": len(chosen), "ids": [c.pk for c in chosen][:50]},
        )
    return chosen


def worklist_as_of(scope: list[int]) -> dt.datetime | None:
    """When the worklist of ``scope`` was last derived from the registry: the oldest of its
    units' marks (None: a unit never was)."""
    marks = WorklistRefresh.objects.filter(unit_id__in=scope).aggregate(
        units=Count("unit_id"), oldest=Min("refreshed_at")
    )
    return None if marks["units"] < len(scope) else marks["oldest"]
