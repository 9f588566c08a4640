"""Pages of 两非 case files: only case officers and leaders; every case read is audited."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.core.actors import Actor, request_user
from jisheng.core.pages import form_page, page_of, posted, query_id
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.governance.forms_cases import (
    CloseForm,
    ClueForm,
    EvidenceForm,
    InvestigateForm,
    TransferForm,
)
from jisheng.governance.models import Case, CaseStage, ClueSource
from jisheng.governance.selectors import cases as selectors
from jisheng.governance.services import cases as services

FORM = "governance/supervision/form.html"


def _case_url(case: Case | int) -> str:
    return reverse("governance:case_detail", args=[case if isinstance(case, int) else case.pk])


@require_GET
@require_capability(Capability.VIEW_CASES)
def case_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    today = timezone.localdate()
    stage = request.GET.get("stage", "")
    if stage not in CaseStage.values:
        stage = ""
    overdue = request.GET.get("overdue") == "1"
    found = selectors.cases(user, stage=stage, overdue_on=today if overdue else None)
    page = page_of(request, found)
    selectors.cases_listed(Actor.from_request(request), list(page))
    return render(
        request,
        "governance/cases/case_list.html",
        {
            "page": page,
            "today": today,
            "stage": stage,
            "overdue": overdue,
            "stages": CaseStage.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_CASES)
@submit_once
def case_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    dispensing = query_id(request, "dispensing") if "dispensing" in request.GET else None
    if dispensing is not None:
        initial = {"source": ClueSource.DISPENSING_REVIEW, "dispensing_id": dispensing}
    form = ClueForm(posted(request), initial=initial)

    def open_case(actor: Actor, data: dict[str, Any]) -> Case:
        return services.case_open(actor=actor, **data)

    return form_page(
        request,
        form=form,
        operation=open_case,
        success=_("Clue recorded."),
        next_url=_case_url,
        template=FORM,
        title=_("Record a clue"),
        cancel_url=reverse("governance:case_list"),
    )


@require_GET
@require_capability(Capability.VIEW_CASES)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    case = selectors.case_read(actor, case_id)
    return render(
        request,
        "governance/cases/case_detail.html",
        {
            "case": case,
            "reporter": selectors.reporter_shown(case, actor.user),
            "evidence": selectors.case_evidence(actor, case),
            "overdue": selectors.is_overdue(case, timezone.localdate()),
        },
    )


def _step(
    request: HttpRequest,
    case_id: int,
    form: Any,
    operation: Any,
    *,
    title: str,
    success: str,
    multipart: bool = False,
) -> HttpResponse:
    # The page never reads the case itself (that read would be audited twice): the service
    # finds it in scope or answers 404.
    return form_page(
        request,
        form=form,
        operation=operation,
        success=success,
        next_url=_case_url(case_id),
        template=FORM,
        title=title,
        context={"multipart": multipart},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_CASES)
@submit_once
def case_investigate(request: HttpRequest, case_id: int) -> HttpResponse:
    selectors.case_in_scope(request_user(request), case_id)

    def run(actor: Actor, data: dict[str, Any]) -> object:
        return services.case_investigate(actor=actor, case_id=case_id, **data)

    return _step(
        request,
        case_id,
        InvestigateForm(posted(request)),
        run,
        title=_("Start the investigation"),
        success=_("Investigation started."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_CASES)
@submit_once
def case_transfer(request: HttpRequest, case_id: int) -> HttpResponse:
    selectors.case_in_scope(request_user(request), case_id)

    def run(actor: Actor, data: dict[str, Any]) -> object:
        return services.case_transfer(actor=actor, case_id=case_id, **data)

    return _step(
        request,
        case_id,
        TransferForm(posted(request)),
        run,
        title=_("Transfer for handling"),
        success=_("Case transferred."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_CASES)
@submit_once
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    selectors.case_in_scope(request_user(request), case_id)

    def run(actor: Actor, data: dict[str, Any]) -> object:
        return services.case_close(actor=actor, case_id=case_id, **data)

    return _step(
        request,
        case_id,
        CloseForm(posted(request)),
        run,
        title=_("Close the case"),
        success=_("Case closed."),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_CASES)
@submit_once
def evidence_new(request: HttpRequest, case_id: int) -> HttpResponse:
    selectors.case_in_scope(request_user(request), case_id)

    def run(actor: Actor, data: dict[str, Any]) -> object:
        return services.evidence_add(actor=actor, case_id=case_id, **data)

    return _step(
        request,
        case_id,
        EvidenceForm(posted(request), request.FILES or None),
        run,
        title=_("Add evidence"),
        success=_("Evidence added."),
        multipart=True,
    )


@require_GET
@require_capability(Capability.VIEW_CASES)
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = selectors.evidence_read(Actor.from_request(request), evidence_id)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True)
    response["Cache-Control"] = "no-store"
    return response
