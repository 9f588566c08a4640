"""年审: each year every beneficiary of a program is confirmed or stopped.

A campaign for year Y copies the entitlements active at some time in Y-1 and still active,
pre-flagged from the registry:

- ``death`` / ``move_out``: the beneficiary is registered as deceased or moved out now,
  dated by the (unreversed) event;
- ``rule``: the beneficiary no longer meets the program's rule today, with the failed tests;
- ``marriage`` / ``divorce``: recorded since the previous campaign (or since 1 January Y-1);
- ``payee_death`` / ``payee_move_out``: whoever receives the money for the beneficiary left.

Stopping ends the entitlement on the date of a death or move-out, else on the decision date,
so the next payment batch leaves it out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits.eligibility import explain, persons_meeting
from jisheng.benefits.models import Entitlement, Program, ReviewCampaign, ReviewItem
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry.models import LifeEvent, Person, ResidentStatus

Flag = dict[str, Any]

# Flags whose date ends the entitlement when it is stopped.
LEAVING_KINDS = ("death", "move_out")

_LEFT: dict[str, str] = {
    ResidentStatus.DECEASED: LifeEvent.Kind.DEATH,
    ResidentStatus.MOVED_OUT: LifeEvent.Kind.MOVE_OUT,
}


def _flag(kind: str, date: dt.date | None, text: str) -> Flag:
    return {"kind": kind, "date": date.isoformat() if date else None, "text": text}


def _window_start(program: Program, org_unit_id: int, year: int) -> dt.date:
    """Changes count from the day the previous campaign opened, else from 1 January of Y-1."""
    previous = (
        ReviewCampaign.objects.filter(program=program, org_unit_id=org_unit_id, year__lt=year)
        .order_by("-year", "-pk")
        .first()
    )
    if previous is None:
        return dt.date(year - 1, 1, 1)
    return timezone.localdate(previous.created_at)


def _departures(person_ids: QuerySet[Any]) -> dict[int, tuple[str, dt.date | None, str]]:
    """Who among these has died or moved out: kind, date of the event, destination."""
    left = dict(
        Person.objects.filter(pk__in=person_ids, status__in=list(_LEFT)).values_list("pk", "status")
    )
    found: dict[int, tuple[str, dt.date | None, str]] = {
        pk: (_LEFT[status], None, "") for pk, status in left.items()
    }
    events = (
        LifeEvent.objects.filter(
            person_id__in=list(left),
            kind__in=list(_LEFT.values()),
            reversed_by__isnull=True,
        )
        .order_by("date", "pk")
        .values_list("person_id", "kind", "date", "data")
    )
    for person_id, kind, date, data in events:
        if kind == found[person_id][0]:  # the latest event of the kind matching the status
            found[person_id] = (kind, date, str((data or {}).get("destination", "")))
    return found


def _family_changes(person_ids: QuerySet[Any], since: dt.date) -> dict[int, dict[str, dt.date]]:
    """Marriages and divorces since the window opened: the latest date of each kind."""
    kinds: dict[str, str] = {LifeEvent.Kind.MARRIAGE: "marriage", LifeEvent.Kind.DIVORCE: "divorce"}
    events = (
        LifeEvent.objects.filter(kind__in=list(kinds), reversed_by__isnull=True)
        .filter(Q(person_id__in=person_ids) | Q(other_person_id__in=person_ids))
        .filter(date__gte=since)
        .order_by("date", "pk")
        .values_list("person_id", "other_person_id", "kind", "date")
    )
    changes: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for husband, wife, kind, date in events:
        for person_id in (husband, wife):
            if person_id is not None:
                changes[person_id][kinds[kind]] = date
    return changes


def _rule_failures(
    program: Program, person_ids: QuerySet[Any], skip: Iterable[int], today: dt.date
) -> dict[int, str]:
    """Beneficiaries who fail the rule today (one query), each explained in words."""
    beneficiaries = Person.objects.filter(pk__in=person_ids)
    meeting = set(persons_meeting(program.rule, today, beneficiaries).values_list("pk", flat=True))
    everyone = set(beneficiaries.values_list("pk", flat=True))
    failing = everyone - meeting - set(skip)
    texts = {}
    for person in Person.objects.filter(pk__in=failing).defer("id_number", "phone"):
        reasons = explain(program.rule, person, today).failures()
        texts[person.pk] = "；".join(reasons) or _("Does not meet the program's rule.")
    return texts


def _item_flags(
    *,
    person_id: int,
    payee_id: int | None,
    departures: dict[int, tuple[str, dt.date | None, str]],
    changes: dict[int, dict[str, dt.date]],
    failures: dict[int, str],
    payee_names: dict[int, str],
    today: dt.date,
) -> list[Flag]:
    flags: list[Flag] = []
    if person_id in departures:
        kind, date, destination = departures[person_id]
        if kind == LifeEvent.Kind.DEATH:
            text = _("Died on %(date)s.") % {"date": date or "—"}
        elif destination:
            text = _("Moved out on %(date)s to %(place)s.") % {
                "date": date or "—",
                "place": destination,
            }
        else:
            text = _("Moved out on %(date)s.") % {"date": date or "—"}
        flags.append(_flag(str(kind), date, text))
    if person_id in failures:
        flags.append(_flag("rule", today, failures[person_id]))
    for kind, date in sorted(changes.get(person_id, {}).items()):
        text = (_("Married on %(date)s.") if kind == "marriage" else _("Divorced on %(date)s.")) % {
            "date": date
        }
        flags.append(_flag(kind, date, text))
    if payee_id is not None and payee_id != person_id and payee_id in departures:
        kind, date, _destination = departures[payee_id]
        name = payee_names.get(payee_id, "")
        if kind == LifeEvent.Kind.DEATH:
            text = _("The payee %(name)s died on %(date)s.") % {"name": name, "date": date or "—"}
            flags.append(_flag("payee_death", date, text))
        else:
            text = _("The payee %(name)s moved out on %(date)s.") % {
                "name": name,
                "date": date or "—",
            }
            flags.append(_flag("payee_move_out", date, text))
    return flags


@transaction.atomic
def campaign_create(
    *, actor: Actor, program: Program, year: int, today: dt.date | None = None
) -> ReviewCampaign:
    """Open the year's re-verification of one program for the actor's street.

    Copies every entitlement in scope that was active at some time in ``year - 1`` and is
    still active, each with its flags. One campaign per program, street and year.
    """
    require(actor, Capability.REVIEW_BENEFITS)
    user = actor.user
    if user.org_unit is None:
        raise Forbidden()
    today = today or timezone.localdate()
    if not 2000 <= year <= today.year + 1:
        raise JishengError(_("Choose a year between 2000 and next year."))
    last_year = (dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    entitled = (
        Entitlement.objects.visible_to(user)
        .filter(program=program, status=Entitlement.Status.ACTIVE, start_date__lte=last_year[1])
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=last_year[0]))
    )
    rows = list(entitled.values_list("pk", "person_id", "payee_id", "community_id"))
    if not rows:
        raise Conflict(
            _("Nobody received this benefit in %(year)s: there is nobody to re-verify.")
            % {"year": year - 1}
        )
    since = _window_start(program, user.org_unit.pk, year)
    try:
        with transaction.atomic():
            campaign = ReviewCampaign.objects.create(
                program=program, org_unit=user.org_unit, year=year, created_by=user
            )
    except IntegrityError:
        raise Conflict(
            _("The re-verification of this program for %(year)s exists already.") % {"year": year}
        ) from None
    people = entitled.values("person_id")
    departures = _departures(
        Person.objects.filter(Q(pk__in=people) | Q(pk__in=entitled.values("payee_id"))).values("pk")
    )
    changes = _family_changes(people, since)
    failures = _rule_failures(program, people, skip=departures, today=today)
    payee_ids = {payee for _pk, person, payee, _c in rows if payee and payee != person}
    payee_names = dict(
        Person.objects.filter(pk__in=payee_ids & set(departures)).values_list("pk", "name")
    )
    items = [
        ReviewItem(
            campaign=campaign,
            entitlement_id=pk,
            community_id=community_id,
            flags=_item_flags(
                person_id=person_id,
                payee_id=payee_id,
                departures=departures,
                changes=changes,
                failures=failures,
                payee_names=payee_names,
                today=today,
            ),
        )
        for pk, person_id, payee_id, community_id in rows
    ]
    ReviewItem.objects.bulk_create(items, batch_size=2000)
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=campaign,
        detail={
            "items": len(items),
            "flagged": sum(1 for item in items if item.flags),
            "since": since.isoformat(),
        },
    )
    return campaign


def _end_date(flags: list[Flag], decided_on: dt.date) -> dt.date:
    """The date a stopped entitlement ends: the death or move-out if flagged, else the decision."""
    for flag in flags:
        if flag.get("kind") in LEAVING_KINDS and flag.get("date"):
            return dt.date.fromisoformat(flag["date"])
    return decided_on


@transaction.atomic
def review_item_decide(
    *,
    actor: Actor,
    item: ReviewItem,
    decision: str | None,
    comment: str = "",
    today: dt.date | None = None,
) -> ReviewItem:
    """Confirm an item (the benefit continues) or stop it (the entitlement ends).

    Only a pending item can be decided. Stopping needs a reason: the comment, or the flags.
    """
    require(actor, Capability.REVIEW_BENEFITS)
    locked = locked_or_404(ReviewItem, user=actor.user, pk=item.pk)
    if decision not in {ReviewItem.Decision.CONFIRM, ReviewItem.Decision.STOP}:
        raise JishengError(_("Decide to confirm or to stop."))
    if locked.decision != ReviewItem.Decision.PENDING:
        raise Conflict(
            _("This beneficiary was already decided: %(decision)s.")
            % {"decision": locked.get_decision_display()}
        )
    comment = comment.strip()
    today = today or timezone.localdate()
    entitlement = Entitlement.objects.select_for_update().get(pk=locked.entitlement_id)
    active = entitlement.status == Entitlement.Status.ACTIVE
    if decision == ReviewItem.Decision.CONFIRM and not active:
        raise Conflict(_("The benefit has been stopped meanwhile; it cannot be confirmed."))
    if decision == ReviewItem.Decision.STOP:
        reason = comment or "；".join(str(flag.get("text", "")) for flag in locked.flags)
        if not reason:
            raise JishengError(_("Give the reason for stopping."))
        if active:
            entitlement.status = Entitlement.Status.STOPPED
            entitlement.end_date = _end_date(locked.flags, today)
            entitlement.stop_reason = (
                _("Annual re-verification: %(reason)s") % {"reason": reason}
            )[:300]
            entitlement.save(update_fields=["status", "end_date", "stop_reason"])
            audit.record(
                action=Action.UPDATE,
                actor=actor,
                obj=entitlement,
                detail={
                    "status": entitlement.status,
                    "end_date": entitlement.end_date.isoformat(),
                    "review_item": locked.pk,
                },
            )
    locked.decision = decision
    locked.comment = comment[:300]
    locked.decided_by = actor.user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["decision", "comment", "decided_by", "decided_at"])
    audit.record(action=Action.UPDATE, actor=actor, obj=locked, detail={"decision": decision})
    return locked


@transaction.atomic
def review_items_confirm_unflagged(*, actor: Actor, campaign: ReviewCampaign) -> int:
    """Confirm at once every pending item without flags whose benefit is still active."""
    require(actor, Capability.REVIEW_BENEFITS)
    visible_or_404(ReviewCampaign, user=actor.user, pk=campaign.pk)
    ids = list(
        ReviewItem.objects.visible_to(actor.user)
        .select_for_update(of=("self",))
        .filter(
            campaign_id=campaign.pk,
            decision=ReviewItem.Decision.PENDING,
            flags=[],
            entitlement__status=Entitlement.Status.ACTIVE,
        )
        .values_list("pk", flat=True)
    )
    changed = 0
    for start in range(0, len(ids), 2000):
        changed += ReviewItem.objects.filter(
            pk__in=ids[start : start + 2000], decision=ReviewItem.Decision.PENDING
        ).update(
            decision=ReviewItem.Decision.CONFIRM,
            decided_by=actor.user,
            decided_at=timezone.now(),
        )
    audit.record(
        action=Action.UPDATE,
        actor=actor,
        obj=campaign,
        detail={"confirmed_unflagged": changed},
    )
    return changed
