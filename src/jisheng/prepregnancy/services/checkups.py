"""Checkups of each spouse, their risk assessment and the referral a high risk raises;
the maintained list of risk factors."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.lookups import locked_or_404
from jisheng.core.permissions import require
from jisheng.core.roles import Capability, Role
from jisheng.prepregnancy import health, rules
from jisheng.prepregnancy.models import (
    Checkup,
    Referral,
    RiskFactor,
    RiskLevel,
    Spouse,
    TargetCouple,
    TaskState,
)
from jisheng.prepregnancy.services.common import (
    couple_locked,
    couple_refresh_state,
    require_served,
)
from jisheng.registry.selectors import lifetime

CODE_PATTERN = re.compile(r"[a-z0-9_-]{2,40}")


def _risk_factor_codes(codes: list[str], spouse: str) -> list[str]:
    """The chosen factors, each an active entry of the list that applies to this spouse."""
    if not codes:
        return []
    found = dict(
        RiskFactor.objects.filter(code__in=codes, active=True).values_list("code", "applies_to")
    )
    for code in codes:
        if code not in found or found[code] not in (RiskFactor.AppliesTo.BOTH, spouse):
            raise JishengError(
                _("A chosen risk factor is not on the list for this spouse."),
                code="invalid_risk_factor",
            )
    return sorted(set(codes))


@transaction.atomic
def checkup_record(
    *, actor: Actor, couple: TargetCouple, spouse: str, data: health.CheckupData
) -> Checkup:
    """Record one spouse's checkup. A high-risk assessment raises a referral task due in
    ``rules.REFERRAL_DUE_DAYS``; the couple becomes "one spouse checked" or "both checked"."""
    if spouse not in Spouse.values:
        raise JishengError(_("Choose the wife or the husband."), code="invalid_spouse")
    data.check(spouse)
    couple = couple_locked(actor, couple)
    possible_date(data.date, lifetime(couple.spouse(spouse)))
    require_served(couple)
    factor_codes = _risk_factor_codes(data.risk_factor_codes, spouse)
    if couple.checkups.filter(spouse=spouse).exists():
        raise Conflict(
            _("This spouse's checkup has already been recorded."), code="already_checked"
        )
    try:
        with transaction.atomic():
            checkup = Checkup.objects.create(
                couple=couple,
                person=couple.spouse(spouse),
                spouse=spouse,
                institution=data.institution,
                date=data.date,
                items=sorted(set(data.items)),
                results=health.dump(data.results),
                reproductive_history=health.dump(data.history) if data.history else None,
                risk_level=data.risk_level,
                risk_factors=health.dump({"codes": factor_codes, "note": data.risk_note.strip()}),
                advice=data.advice.strip() or None,
                recorded_by=actor.user,
            )
    except IntegrityError as exc:  # the same spouse recorded at the same moment elsewhere
        raise Conflict(
            _("This spouse's checkup has already been recorded."), code="already_checked"
        ) from exc
    audit.record(
        action=Action.CREATE,
        actor=actor,
        obj=checkup,
        detail={"couple": couple.pk, "person": checkup.person_id},
    )
    if data.risk_level == RiskLevel.HIGH:
        referral = Referral.of(checkup, due_date=rules.referral_due(data.date), assignee=actor.user)
        referral.save(force_insert=True)
        audit.record(
            action=Action.CREATE, actor=actor, obj=referral, detail={"checkup": checkup.pk}
        )
    couple_refresh_state(couple)
    return checkup


@transaction.atomic
def referral_complete(
    *, actor: Actor, referral: Referral, completed_on: dt.date, result: str
) -> Referral:
    """Close a referral task with what the specialist found or advised."""
    require(actor, Capability.VIEW_HEALTH)
    found = locked_or_404(
        Referral.objects.select_related("checkup__person"), user=actor.user, pk=referral.pk
    )
    if found.state != TaskState.OPEN:
        raise Conflict(_("This referral has already been completed."), code="already_done")
    possible_date(completed_on, lifetime(found.checkup.person))
    if completed_on < found.checkup.date:
        raise JishengError(
            _("The referral cannot be completed before the checkup."), code="invalid_date"
        )
    result = result.strip()
    if not result or len(result) > 1000:
        raise JishengError(
            _("Say what the referral found (at most 1000 characters)."), code="invalid_result"
        )
    found.state, found.completed_on, found.completed_by = TaskState.DONE, completed_on, actor.user
    found.result = result
    found.save(update_fields=["state", "completed_on", "completed_by", "result"])
    audit.record(action=Action.UPDATE, actor=actor, obj=found, detail={"checkup": found.checkup_id})
    return found


def is_list_keeper(user: User) -> bool:
    """Whether the user keeps the list of risk factors: the street office, for all its
    communities (a role, not a capability: community workers read the list too)."""
    return user.has_capability(Capability.VIEW_HEALTH) and Role.STREET_STAFF in user.role_set


def require_list_keeper(actor: Actor) -> None:
    """403 unless the actor keeps the list (see :func:`is_list_keeper`)."""
    require(actor, Capability.VIEW_HEALTH)
    if not is_list_keeper(actor.user):
        raise Forbidden(_("The street office keeps the list of risk factors."))


@transaction.atomic
def risk_factor_create(
    *, actor: Actor, code: str, name: str, category: str, applies_to: str
) -> RiskFactor:
    require_list_keeper(actor)
    if not code:
        # Staff name a factor in Chinese; the code is an internal key they need not invent.
        code = f"local-{RiskFactor.objects.count() + 1}"
        while RiskFactor.objects.filter(code=code).exists():
            code = f"{code}-1"
    if not CODE_PATTERN.fullmatch(code):
        raise JishengError(
            _("The code uses 2 to 40 small letters, digits, _ or -."), code="invalid_code"
        )
    name = name.strip()
    if not name or len(name) > 100:
        raise JishengError(_("Give the name (at most 100 characters)."), code="invalid_name")
    if category not in RiskFactor.Category.values or applies_to not in RiskFactor.AppliesTo.values:
        raise JishengError(_("Choose the category and whom it applies to."), code="invalid")
    if RiskFactor.objects.filter(code=code).exists():
        raise Conflict(_("This code is already on the list."), code="duplicate_code")
    last = RiskFactor.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
    factor = RiskFactor.objects.create(
        code=code,
        name=name,
        category=category,
        applies_to=applies_to,
        sort_order=(last or 0) + 10,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=factor, detail={"code": code})
    return factor


@transaction.atomic
def risk_factor_set_active(*, actor: Actor, factor: RiskFactor, active: bool) -> RiskFactor:
    """Retire a factor from new assessments, or bring it back; old assessments keep it."""
    require_list_keeper(actor)
    factor = RiskFactor.objects.select_for_update().get(pk=factor.pk)
    if factor.active != active:
        factor.active = active
        factor.save(update_fields=["active"])
        audit.record(action=Action.UPDATE, actor=actor, obj=factor, detail={"active": active})
    return factor
