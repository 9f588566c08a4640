"""Writes of 两非 case files: each transition checks the duty and the stage, then acts,
then records who did it. Only case officers (``MANAGE_CASES``) write, in their own street."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.dates import possible_date
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.lookups import locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability
from jisheng.core.text import clean_text
from jisheng.core.uploads import DOCUMENT_SUFFIXES, check_upload
from jisheng.governance.models import (
    Case,
    CaseEvidence,
    CaseResult,
    CaseStage,
    ClueSource,
    Dispensing,
    Inspection,
    TransferTo,
)

# Days each stage may take before the case is marked overdue (a setting per deployment).
DEFAULT_STAGE_DAYS = {CaseStage.CLUE: 7, CaseStage.INVESTIGATION: 30, CaseStage.HANDLING: 60}


def stage_days(stage: str) -> int:
    """How many days a case may stay in ``stage`` (``GOVERNANCE_CASE_STAGE_DAYS`` overrides)."""
    configured: dict[str, int] = getattr(settings, "GOVERNANCE_CASE_STAGE_DAYS", {})
    return int(configured.get(stage, DEFAULT_STAGE_DAYS[CaseStage(stage)]))


def _due(stage: str, start: dt.date, due_on: dt.date | None) -> dt.date:
    if due_on is None:
        return start + dt.timedelta(days=stage_days(stage))
    if due_on < start:
        raise JishengError(_("The deadline lies before the start of the step."), code="due_on")
    return due_on


def _street(actor: Actor) -> OrgUnit:
    unit = actor.user.org_unit
    if unit is None or unit.kind != OrgUnit.Kind.STREET:
        raise NotFound()
    return unit


def _number(street: OrgUnit, year: int) -> str:
    taken = Case.objects.filter(street=street, number__startswith=f"LF{year}-{street.pk}-")
    return f"LF{year}-{street.pk}-{taken.count() + 1:04d}"


def case_open(
    *,
    actor: Actor,
    source: str,
    summary: str,
    received_on: dt.date,
    informant: str = "",
    source_reference: str = "",
    inspection_id: int | None = None,
    dispensing_id: int | None = None,
    due_on: dt.date | None = None,
) -> Case:
    """A clue in the case officer's street. A review-list entry opens at most one open case;
    the informant is stored encrypted and shown to nobody."""
    require(actor, Capability.MANAGE_CASES)
    street = _street(actor)
    if source not in ClueSource.values:
        raise JishengError(_("Choose where the clue came from."), code="invalid_source")
    summary = clean_text(summary, multiline=True)
    if not summary:
        raise JishengError(_("Describe the clue."), code="summary")
    possible_date(received_on)
    due = _due(CaseStage.CLUE, received_on, due_on)
    inspection = (
        visible_or_404(Inspection, user=actor.user, pk=inspection_id)
        if inspection_id is not None
        else None
    )
    dispensing = (
        visible_or_404(Dispensing, user=actor.user, pk=dispensing_id)
        if dispensing_id is not None
        else None
    )
    if source == ClueSource.DISPENSING_REVIEW and dispensing is None:
        raise JishengError(_("Name the dispensing on the review list."), code="dispensing")
    with transaction.atomic():
        # One lock per street orders the numbering, and finds a second submit's first case.
        OrgUnit.objects.select_for_update().get(pk=street.pk)
        if dispensing is not None:
            earlier = Case.objects.filter(dispensing=dispensing).exclude(stage=CaseStage.CLOSED)
            if earlier.exists():
                raise Conflict(
                    _("An open case already follows this dispensing."), code="duplicate_case"
                )
        case = Case.objects.create(
            street=street,
            number=_number(street, received_on.year),
            source=source,
            summary=summary,
            received_on=received_on,
            due_on=due,
            informant=clean_text(informant, multiline=True) or None,
            reported_by=actor.user,
            inspection=inspection,
            dispensing=dispensing,
            source_reference=clean_text(source_reference)[:100],
        )
        audit.record(action=Action.CREATE, actor=actor, obj=case, detail={"source": source})
    return case


def _locked_case(actor: Actor, case_id: int, *stages: CaseStage) -> Case:
    case = locked_or_404(Case, user=actor.user, pk=case_id)
    if case.stage not in stages:
        raise Conflict(
            _("The case is at the step “%(stage)s”; this cannot be done now.")
            % {"stage": case.get_stage_display()},
            code="wrong_stage",
        )
    return case


def case_investigate(
    *, actor: Actor, case_id: int, started_on: dt.date, due_on: dt.date | None = None
) -> Case:
    """The clue is taken up: the investigation starts, with its own deadline."""
    require(actor, Capability.MANAGE_CASES)
    possible_date(started_on)
    with transaction.atomic():
        case = locked_or_404(Case, user=actor.user, pk=case_id)
        if case.stage == CaseStage.INVESTIGATION and case.investigation_started_on == started_on:
            return case  # the same step sent twice
        case = _locked_case(actor, case_id, CaseStage.CLUE)
        if started_on < case.received_on:
            raise JishengError(
                _("The investigation cannot start before the clue came in."), code="started_on"
            )
        case.stage = CaseStage.INVESTIGATION
        case.investigation_started_on = started_on
        case.due_on = _due(CaseStage.INVESTIGATION, started_on, due_on)
        case.save(update_fields=["stage", "investigation_started_on", "due_on"])
        audit.record(action=Action.UPDATE, actor=actor, obj=case, detail={"stage": case.stage})
    return case


def case_transfer(
    *,
    actor: Actor,
    case_id: int,
    transfer_to: str,
    receiving_unit: str,
    reference: str,
    transferred_on: dt.date,
    findings: str = "",
    due_on: dt.date | None = None,
) -> Case:
    """The investigated case goes to the health authority or the police for handling."""
    require(actor, Capability.MANAGE_CASES)
    if transfer_to not in TransferTo.values:
        raise JishengError(_("Choose health authority or police."), code="transfer_to")
    receiving_unit = clean_text(receiving_unit)[:100]
    reference = clean_text(reference)[:64]
    if not receiving_unit or not reference:
        raise JishengError(
            _("Name the receiving unit and the transfer reference."), code="transfer"
        )
    possible_date(transferred_on)
    with transaction.atomic():
        case = locked_or_404(Case, user=actor.user, pk=case_id)
        if case.stage == CaseStage.HANDLING and case.transfer_reference == reference:
            return case
        case = _locked_case(actor, case_id, CaseStage.INVESTIGATION)
        assert case.investigation_started_on is not None  # noqa: S101 - set by the step before
        if transferred_on < case.investigation_started_on:
            raise JishengError(
                _("The transfer cannot come before the investigation started."),
                code="transferred_on",
            )
        case.stage = CaseStage.HANDLING
        case.transfer_to = transfer_to
        case.receiving_unit = receiving_unit
        case.transfer_reference = reference
        case.transferred_on = transferred_on
        if findings.strip():
            case.findings = clean_text(findings, multiline=True)
        case.due_on = _due(CaseStage.HANDLING, transferred_on, due_on)
        case.save()
        audit.record(
            action=Action.UPDATE,
            actor=actor,
            obj=case,
            detail={"stage": case.stage, "transfer_to": transfer_to},
        )
    return case


def case_close(
    *,
    actor: Actor,
    case_id: int,
    closed_on: dt.date,
    result: str,
    result_text: str,
    findings: str = "",
) -> Case:
    """The case is closed with its result, after an investigation (and any handling)."""
    require(actor, Capability.MANAGE_CASES)
    if result not in CaseResult.values:
        raise JishengError(_("Choose the result."), code="result")
    result_text = clean_text(result_text, multiline=True)
    if not result_text:
        raise JishengError(_("Describe the result."), code="result_text")
    possible_date(closed_on)
    with transaction.atomic():
        case = locked_or_404(Case, user=actor.user, pk=case_id)
        if case.stage == CaseStage.CLOSED:
            if case.result == result and case.closed_on == closed_on:
                return case
            raise Conflict(_("The case is already closed."), code="closed")
        case = _locked_case(actor, case_id, CaseStage.INVESTIGATION, CaseStage.HANDLING)
        assert case.investigation_started_on is not None  # noqa: S101 - set by the step before
        if closed_on < case.investigation_started_on:
            raise JishengError(
                _("The case cannot close before the investigation started."), code="closed_on"
            )
        case.stage = CaseStage.CLOSED
        case.closed_on = closed_on
        case.result = result
        case.result_text = result_text
        if findings.strip():
            case.findings = clean_text(findings, multiline=True)
        case.save()
        audit.record(action=Action.UPDATE, actor=actor, obj=case, detail={"stage": case.stage})
    return case


def evidence_add(
    *, actor: Actor, case_id: int, description: str, file: UploadedFile[bytes] | None
) -> CaseEvidence:
    """An evidence file (PDF, JPG or PNG) added to an open case."""
    require(actor, Capability.MANAGE_CASES)
    description = clean_text(description)[:200]
    if not description:
        raise JishengError(_("Describe the evidence."), code="description")
    if file is None:
        raise JishengError(_("Attach the evidence (PDF, JPG or PNG)."), code="file")
    check_upload(file, allowed=DOCUMENT_SUFFIXES)
    with transaction.atomic():
        case = _locked_case(
            actor, case_id, CaseStage.CLUE, CaseStage.INVESTIGATION, CaseStage.HANDLING
        )
        evidence = CaseEvidence.objects.create(
            case=case, description=description, file=file, added_by=actor.user
        )
        audit.record(action=Action.CREATE, actor=actor, obj=evidence, detail={"case": case.pk})
    return evidence
