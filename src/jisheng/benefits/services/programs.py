"""Programs: created and edited by street staff; rules and tiers are validated before saving."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.benefits.eligibility import validate_rule
from jisheng.benefits.models import BenefitKind, Cycle, DisabilityRecord, Program
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.registry.models import Person

FUNDING_LEVELS = ("central", "province", "city", "district", "street", "community")

EDITABLE_FIELDS = (
    "code",
    "name",
    "category",
    "policy_document",
    "source_note",
    "verify_locally",
    "unit",
    "rule",
    "benefit_kind",
    "amount",
    "amount_per",
    "amount_tiers",
    "cycle",
    "proration",
    "in_kind_description",
    "valid_from",
    "valid_to",
    "funding_shares",
    "notice_days",
    "status",
)


def _check(values: dict[str, Any]) -> None:
    validate_rule(values.get("rule") or {})
    kind = values.get("benefit_kind")
    amount = values.get("amount")
    if kind == BenefitKind.CASH and amount is None:
        raise JishengError(_("A cash program needs an amount."))
    if amount is not None and amount < 0:
        raise JishengError(_("The amount cannot be negative."))
    if (values.get("cycle") == Cycle.ONCE) != (values.get("amount_per") == Cycle.ONCE):
        raise JishengError(_("A one-off amount is paid once, and only a one-off amount is."))
    start, end = values.get("valid_from"), values.get("valid_to")
    if start and end and end < start:
        raise JishengError(_("The program ends before it starts."))
    shares = values.get("funding_shares") or {}
    if not isinstance(shares, dict) or any(level not in FUNDING_LEVELS for level in shares):
        raise JishengError(
            _("Funding levels are: %(levels)s.") % {"levels": ", ".join(FUNDING_LEVELS)}
        )
    if shares and (
        any(not isinstance(v, int) or v < 0 for v in shares.values()) or sum(shares.values()) != 100
    ):
        raise JishengError(_("Funding shares must be whole percentages adding up to 100."))
    values["amount_tiers"] = _checked_tiers(values.get("amount_tiers") or [])


def _checked_tiers(tiers: Any) -> list[dict[str, Any]]:
    if not isinstance(tiers, list):
        raise JishengError(_("Amount tiers must be a list."))
    checked = []
    for tier in tiers:
        if not isinstance(tier, dict) or set(tier) != {"label", "rule", "amount"}:
            raise JishengError(_("Each amount tier needs exactly a label, a rule and an amount."))
        validate_rule(tier["rule"])
        try:
            amount = Decimal(str(tier["amount"]))
        except InvalidOperation:
            raise JishengError(_("A tier amount must be a number.")) from None
        if amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise JishengError(_("A tier amount must be positive, in yuan and fen."))
        checked.append(
            {"label": str(tier["label"])[:100], "rule": tier["rule"], "amount": str(amount)}
        )
    return checked


@transaction.atomic
def program_save(*, actor: Actor, program: Program | None, values: dict[str, Any]) -> Program:
    """Create a program (``program`` None) or change one; the rule is validated first."""
    require(actor, Capability.REVIEW_BENEFITS)
    values = {key: values[key] for key in EDITABLE_FIELDS if key in values}
    merged = {
        **({field: getattr(program, field) for field in EDITABLE_FIELDS} if program else {}),
        **values,
    }
    _check(merged)
    values["amount_tiers"] = merged["amount_tiers"]
    if program is None:
        if Program.objects.filter(code=merged.get("code")).exists():
            raise JishengError(_("A program with this code already exists."), code="conflict")
        program = Program.objects.create(**values)
        audit.record(action=Action.CREATE, actor=actor, obj=program)
    else:
        for key, value in values.items():
            setattr(program, key, value)
        program.save()
        audit.record(
            action=Action.UPDATE, actor=actor, obj=program, detail={"fields": list(values)}
        )
    return program


@transaction.atomic
def disability_record(
    *, actor: Actor, person: Person, grade: int, certificate_number: str, recorded_on: dt.date
) -> DisabilityRecord:
    """Record a disability certificate grade for a resident the actor may edit."""
    require(actor, Capability.APPLY_BENEFITS)
    # A resident outside the scope is refused (403), not hidden: the page named them.
    if not Person.objects.visible_to(actor.user).filter(pk=person.pk).exists():
        raise Forbidden()
    if not 1 <= grade <= 4:
        raise JishengError(_("The disability grade is 1 to 4."))
    record = DisabilityRecord.objects.create(
        person=person,
        grade=grade,
        certificate_number=certificate_number[:40],
        recorded_on=recorded_on,
        recorded_by=actor.user,
    )
    audit.record(action=Action.CREATE, actor=actor, obj=record)
    return record
