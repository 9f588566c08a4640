"""Reads of 两非 case files: only ``VIEW_CASES`` holders, within their street; every read of
one case is audited; who reported a clue is shown only to that reporter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.errors import NotFound
from jisheng.core.lookups import visible_or_404
from jisheng.governance.models import Case, CaseEvidence, CaseStage


def cases(user: Any, *, stage: str = "", overdue_on: dt.date | None = None) -> QuerySet[Case]:
    """Case files the user may read; ``stage`` narrows to one step, ``overdue_on`` to the
    open ones past their deadline on that day."""
    found = Case.objects.visible_to(user).select_related("street").defer("informant")
    if stage:
        found = found.filter(stage=stage)
    if overdue_on is not None:
        found = found.exclude(stage=CaseStage.CLOSED).filter(due_on__lt=overdue_on)
    return found


def case_in_scope(user: Any, case_id: int) -> None:
    """Nothing when the user may read case ``case_id``; NotFound else. Not a read of the
    case (nothing of it leaves), so not audited: the step's form page uses it."""
    if not cases(user).filter(pk=case_id).exists():
        raise NotFound()


def case_read(actor: Actor, case_id: int) -> Case:
    """One case file, its read recorded in the audit trail (who, which case; nothing else)."""
    case = visible_or_404(cases(actor.user), user=actor.user, pk=case_id)
    audit.record(action=Action.VIEW, actor=actor, obj=case)
    return case


def cases_listed(actor: Actor, shown: list[Case]) -> None:
    """Record that a list of case files was shown: which cases (ids only), to whom."""
    audit.record(
        action=Action.SEARCH,
        actor=actor,
        object_type="governance.case",
        detail={"ids": [case.pk for case in shown]},
    )


def case_evidence(actor: Actor, case: Case) -> QuerySet[CaseEvidence]:
    return CaseEvidence.objects.visible_to(actor.user).filter(case=case)


def evidence_read(actor: Actor, evidence_id: int) -> CaseEvidence:
    """One evidence file to download, its read audited."""
    evidence = visible_or_404(CaseEvidence, user=actor.user, pk=evidence_id)
    audit.record(action=Action.VIEW, actor=actor, obj=evidence, detail={"case": evidence.case_id})
    return evidence


def reporter_shown(case: Case, user: Any) -> Any:
    """Who recorded the clue, for that user only; None for everybody else."""
    return case.reported_by if case.reported_by_id == user.pk else None


def is_overdue(case: Case, today: dt.date) -> bool:
    return case.stage != CaseStage.CLOSED and case.due_on < today
