"""Target couples: derived from the registry's marriages, or marked by a worker."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.prepregnancy import rules
from jisheng.prepregnancy.models import (
    CoupleSource,
    CoupleState,
    Referral,
    TargetCouple,
    WorklistRefresh,
)
from jisheng.prepregnancy.services.common import (
    couple_refresh_state,
)
from jisheng.registry.models import Marriage, Person, ResidentStatus
from jisheng.registry.selectors import lifetime

LIVING = ResidentStatus.LIVING
# The worker derives a street's couples again when they were last derived longer ago than this.
REFRESH_MAX_AGE = dt.timedelta(days=1)
GONE = [ResidentStatus.DECEASED, ResidentStatus.VOIDED]


@dataclass(frozen=True)
class RefreshResult:
    """What one derivation run did: files created, files whose state or owner changed."""

    created: int
    updated: int
    first_day: dt.date
    last_day: dt.date


def _stale_files(scope: list[int]) -> Q:
    """Files in scope whose registry facts no longer match their state, owner or spouses."""
    ended = (
        Q(marriage__isnull=True)
        | Q(marriage__end_date__isnull=False)
        | Q(wife__status__in=GONE)
        | Q(husband__status__in=GONE)
    )
    moved = Q(wife__status=ResidentStatus.MOVED_OUT) | Q(husband__status=ResidentStatus.MOVED_OUT)
    achieved = Q(state__in=rules.ACHIEVED_STATES)
    wrong_state = (
        (ended & ~Q(state=CoupleState.ENDED) & ~achieved)
        | (~ended & moved & ~Q(state=CoupleState.MOVED_OUT) & ~achieved)
        | (~ended & ~moved & Q(state__in=rules.CLOSED_STATES))
    )
    wrong_owner = Q(wife__status=LIVING) & ~Q(community=F("wife__community"))
    wrong_spouses = Q(marriage__isnull=False) & (
        ~Q(husband=F("marriage__husband")) | ~Q(wife=F("marriage__wife"))
    )
    in_scope = Q(community__in=scope) | Q(wife__community__in=scope)
    return in_scope & (wrong_state | wrong_owner | wrong_spouses)


def _sync(couple: TargetCouple) -> bool:
    """Follow the registry: the marriage's spouses (after a merge of duplicates) and the
    wife's community; then recompute the state. True when anything changed."""
    changed: list[str] = []
    marriage = (
        Marriage.objects.filter(pk=couple.marriage_id).first()
        if couple.marriage_id is not None
        else None
    )
    if marriage is not None and (couple.husband_id, couple.wife_id) != (
        marriage.husband_id,
        marriage.wife_id,
    ):
        clash = TargetCouple.objects.filter(
            husband_id=marriage.husband_id, wife_id=marriage.wife_id
        ).exists()
        if not clash:
            couple.husband_id, couple.wife_id = marriage.husband_id, marriage.wife_id
            changed += ["husband", "wife"]
    wife = Person.objects.filter(pk=couple.wife_id).values_list("status", "community_id").get()
    if wife[0] == LIVING and couple.community_id != wife[1]:
        _move(couple, wife[1])
        changed.append("community")
    if changed:
        couple.save(update_fields=[*changed, "updated_at"])
    return couple_refresh_state(couple) or bool(changed)


def _move(couple: TargetCouple, community_id: int) -> None:
    """The couple's file moves to ``community_id`` (saved by the caller), and its referrals,
    which hold a copy of its community for their scope, with it."""
    couple.community_id = community_id
    Referral.objects.filter(couple=couple).update(community_id=community_id)


def _lock_units(scope: list[int]) -> None:
    """Two runs over the same communities take turns, so each counts what it created.
    NO KEY: inserts elsewhere that reference these units must not wait for the run."""
    list(
        OrgUnit.objects.select_for_update(no_key=True)
        .filter(pk__in=scope)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _derive(
    *, scope: list[int], created_by: User | None, today: dt.date, window_days: int
) -> RefreshResult:
    """Derive the files of the units ``scope`` (a unit and all below it, locked by the caller)
    and mark the units refreshed."""
    first, last = rules.marriage_window(today, window_days)
    # Existing files first: a merged duplicate moves a file onto the marriage's new spouse.
    updated = 0
    stale = TargetCouple.objects.filter(_stale_files(scope)).select_for_update(of=("self",))
    for couple in stale.order_by("pk"):
        updated += _sync(couple)
    has_file = TargetCouple.objects.filter(husband=OuterRef("husband"), wife=OuterRef("wife"))
    candidates = (
        Marriage.objects.filter(
            end_date__isnull=True,
            date__gte=first,
            date__lte=last,
            wife__community__in=scope,
            wife__status=LIVING,
            husband__status=LIVING,
        )
        .exclude(Exists(has_file))
        .exclude(Exists(TargetCouple.objects.filter(marriage=OuterRef("pk"))))
        .values_list("pk", "husband_id", "wife_id", "wife__community_id", "date")
        .order_by("pk")
    )
    new = [
        TargetCouple(
            community_id=community_id,
            husband_id=husband_id,
            wife_id=wife_id,
            marriage_id=marriage_id,
            source=CoupleSource.NEW_MARRIAGE,
            entered_on=date,
            state=CoupleState.TO_NOTIFY,
            created_by=created_by,
        )
        for marriage_id, husband_id, wife_id, community_id, date in candidates
    ]
    TargetCouple.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    now = timezone.now()
    WorklistRefresh.objects.bulk_create(
        [WorklistRefresh(unit_id=pk, refreshed_at=now) for pk in scope],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["unit"],
        update_fields=["refreshed_at"],
    )
    return RefreshResult(created=len(new), updated=updated, first_day=first, last_day=last)


def refresh_due(scope: list[int], *, max_age: dt.timedelta = REFRESH_MAX_AGE) -> bool:
    """True when a unit of ``scope`` was never derived, or not within ``max_age``."""
    fresh = WorklistRefresh.objects.filter(
        unit_id__in=scope, refreshed_at__gte=timezone.now() - max_age
    ).count()
    return fresh < len(scope)


def _audit_refresh(
    result: RefreshResult, window_days: int, *, actor: Actor | None, username: str = ""
) -> None:
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        username=username,
        object_type="prepregnancy.targetcouple",
        detail={
            "refresh": True,
            "created": result.created,
            "updated": result.updated,
            "window_days": window_days,
        },
    )


@transaction.atomic
def target_couples_refresh(
    *, actor: Actor, today: dt.date | None = None, window_days: int | None = None
) -> RefreshResult:
    """Create a service file for every couple in the actor's area married within the window
    (both spouses living here, floating residents included) and bring existing files in line
    with the registry. Idempotent: a second run with the same data changes nothing."""
    require(actor, Capability.VIEW_HEALTH)
    days = window_days or rules.marriage_window_days()
    scope = actor.user.scope_unit_ids()
    _lock_units(scope)
    result = _derive(
        scope=scope, created_by=actor.user, today=today or timezone.localdate(), window_days=days
    )
    _audit_refresh(result, days, actor=actor)
    return result


@transaction.atomic
def street_couples_refresh(
    *, street: OrgUnit, today: dt.date | None = None, username: str = "cli"
) -> RefreshResult:
    """The refresh of one street and every unit below it, run by the system (the nightly
    command), not by a user: files it creates have no creator; the audit names ``username``."""
    if street.kind != OrgUnit.Kind.STREET:
        raise JishengError(_("Choose a street."), code="not_a_street")
    days = rules.marriage_window_days()
    scope = list(OrgUnit.objects.filter(path__startswith=street.path).values_list("pk", flat=True))
    _lock_units(scope)
    result = _derive(
        scope=scope, created_by=None, today=today or timezone.localdate(), window_days=days
    )
    _audit_refresh(result, days, actor=None, username=username)
    return result


def person_moved(person_ids: list[int]) -> None:
    """The files of wives whose community changed follow them at once (``person_moved``
    hook, run inside the registry's move transaction), instead of at the next derivation."""
    couples = (
        TargetCouple.objects.filter(wife_id__in=person_ids)
        .select_related("wife")
        .select_for_update(of=("self",))
    )
    for couple in couples.order_by("pk"):
        # Whatever her status: a reversed move-in puts her back, moved out, where she was.
        if couple.community_id != couple.wife.community_id:
            _move(couple, couple.wife.community_id)
            couple.save(update_fields=["community", "updated_at"])
        couple_refresh_state(couple)


def due_streets_refresh(*, max_age: dt.timedelta = REFRESH_MAX_AGE) -> list[RefreshResult]:
    """Refresh every street whose worklist was not derived within ``max_age``.

    Run by the task worker (a maintenance job), so new marriages reach the worklist without
    anyone asking and without a page ever doing the derivation while its user waits. Cheap
    when fresh: one count per street. Two workers at once derive a street once: the second
    waits for the unit locks, then finds it fresh.
    """
    results: list[RefreshResult] = []
    for street in OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET):
        with transaction.atomic():
            scope = list(
                OrgUnit.objects.filter(path__startswith=street.path).values_list("pk", flat=True)
            )
            if not refresh_due(scope, max_age=max_age):
                continue
            _lock_units(scope)
            if not refresh_due(scope, max_age=max_age):  # refreshed while this one waited
                continue
            results.append(street_couples_refresh(street=street, username="worker"))
    return results


@transaction.atomic
def couple_mark_planning(
    *, actor: Actor, wife: Person | int, since: dt.date | None = None
) -> tuple[TargetCouple, bool]:
    """Put a married couple that plans a pregnancy on the worklist (a file of its own, or the
    existing file marked). Returns the file and whether it was created. ``wife``: the
    resident or her id (404 outside the actor's area)."""
    require(actor, Capability.VIEW_HEALTH)
    found = visible_or_404(Person, user=actor.user, pk=wife if isinstance(wife, int) else wife.pk)
    since = since or timezone.localdate()
    possible_date(since, lifetime(found))
    marriage = (
        Marriage.objects.filter(wife=found, end_date__isnull=True).select_related("husband").first()
    )
    if marriage is None:
        raise JishengError(
            _("No current marriage of this woman is registered."), code="not_married"
        )
    if found.status != LIVING or marriage.husband.status != LIVING:
        raise Conflict(_("Both spouses must be living here."), code="not_living")
    couple = (
        TargetCouple.objects.select_for_update()
        .filter(husband=marriage.husband, wife=found)
        .first()
    )
    created = couple is None
    if couple is None:
        couple = TargetCouple.objects.create(
            community=found.community,
            husband=marriage.husband,
            wife=found,
            marriage=marriage,
            source=CoupleSource.PLANNING,
            entered_on=since,
            planning_since=since,
            created_by=actor.user,
        )
    elif couple.planning_since is None:
        couple.planning_since = since
        couple.save(update_fields=["planning_since", "updated_at"])
    audit.record(
        action=Action.CREATE if created else Action.UPDATE,
        actor=actor,
        obj=couple,
        detail={"marriage": marriage.pk},
    )
    return couple, created
