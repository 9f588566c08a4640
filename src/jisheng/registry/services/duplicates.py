"""Reviewing likely duplicates: dismiss the flag, or merge the two records into one."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.core.lookups import locked_or_404
from jisheng.registry.models import (
    DuplicateFlag,
    Household,
    HouseholdMember,
    LifeEvent,
    Marriage,
    ParentLink,
    Person,
    ResidentStatus,
)
from jisheng.registry.services.persons import require_editable_community


def _open_flag(actor: Actor, flag_id: int) -> DuplicateFlag:
    """The open flag, locked, with both of its records locked and read afresh."""
    flag = locked_or_404(
        DuplicateFlag.objects.select_related("person__community", "candidate__community"),
        user=actor.user,
        pk=flag_id,
    )
    require_editable_community(actor, flag.person.community)
    require_editable_community(actor, flag.candidate.community)
    if flag.state != DuplicateFlag.State.OPEN:
        raise Conflict(_("This flag has already been decided."), code="flag_decided")
    # A merge saves both records whole: they stay locked so that no edit made meanwhile is
    # overwritten. Locked in id order, so two decisions sharing a record cannot deadlock.
    locked = {
        pk: locked_or_404(Person.objects.select_related("community"), user=actor.user, pk=pk)
        for pk in sorted({flag.person_id, flag.candidate_id})
    }
    flag.person, flag.candidate = locked[flag.person_id], locked[flag.candidate_id]
    return flag


def _close(flag: DuplicateFlag, actor: Actor, state: str) -> None:
    flag.state, flag.resolved_by, flag.resolved_at = state, actor.user, timezone.now()
    flag.save(update_fields=["state", "resolved_by", "resolved_at"])
    audit.record(action=Action.UPDATE, actor=actor, obj=flag, detail={"state": state})


@transaction.atomic
def duplicate_dismiss(*, actor: Actor, flag_id: int) -> DuplicateFlag:
    """Two different people after all."""
    flag = _open_flag(actor, flag_id)
    _close(flag, actor, DuplicateFlag.State.NOT_DUPLICATE)
    return flag


@transaction.atomic
def duplicate_merge(*, actor: Actor, flag_id: int, keep_id: int) -> Person:
    """Move everything of one record onto the other and void it. Not reversible."""
    flag = _open_flag(actor, flag_id)
    if keep_id not in (flag.person_id, flag.candidate_id):
        raise Conflict(_("Keep one of the two flagged records."), code="invalid_keep")
    keep, drop = (
        (flag.person, flag.candidate)
        if keep_id == flag.person_id
        else (flag.candidate, flag.person)
    )
    LifeEvent.objects.filter(person=drop).update(person=keep)
    LifeEvent.objects.filter(other_person=drop).update(other_person=keep)
    if keep.memberships.filter(end_date__isnull=True).exists():
        HouseholdMember.objects.filter(person=drop, end_date__isnull=True).update(
            end_date=timezone.localdate()
        )
    HouseholdMember.objects.filter(person=drop).update(person=keep)
    Household.objects.filter(head=drop).update(head=keep)
    for link in ParentLink.objects.filter(Q(parent=drop) | Q(child=drop)):
        parent = keep if link.parent_id == drop.pk else link.parent
        child = keep if link.child_id == drop.pk else link.child
        if ParentLink.objects.filter(parent=parent, child=child).exists():
            link.delete()  # the kept record already has this tie
        else:
            link.parent, link.child = parent, child
            link.save(update_fields=["parent", "child"])
    Marriage.objects.filter(husband=drop).update(husband=keep)
    Marriage.objects.filter(wife=drop).update(wife=keep)
    if not keep.id_number and drop.id_number:
        keep.id_number, keep.id_number_masked = drop.id_number, drop.id_number_masked
        drop.id_number, drop.id_number_masked = None, ""
    if not keep.phone and drop.phone:
        keep.phone, keep.phone_masked = drop.phone, drop.phone_masked
    drop.status = ResidentStatus.VOIDED
    drop.save()
    keep.save()
    DuplicateFlag.objects.filter(
        Q(person=drop) | Q(candidate=drop), state=DuplicateFlag.State.OPEN
    ).exclude(pk=flag.pk).update(state=DuplicateFlag.State.MERGED)
    _close(flag, actor, DuplicateFlag.State.MERGED)
    audit.record(action=Action.UPDATE, actor=actor, obj=keep, detail={"merged_from": drop.pk})
    return keep
