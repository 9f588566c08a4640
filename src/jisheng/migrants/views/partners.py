"""Complexes and partners (community and street), the worklist of partner reports with
confirm and reject, the street's overview, and the partner's own pages: report, upload,
and the list of what it reported."""

from __future__ import annotations

from typing import IO, Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.core.exports import xlsx_response
from jisheng.core.pages import form_page, page_of, posted, query_without_page, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.migrants.forms import (
    ComplexForm,
    PartnerForm,
    RejectForm,
    ReportForm,
    UploadForm,
)
from jisheng.migrants.models import Partner, PartnerReport, ReportState, ResidentialComplex
from jisheng.migrants.regions import region_name
from jisheng.migrants.selectors import partners as selectors
from jisheng.migrants.services import partners as services
from jisheng.migrants.services.partners import ReportData

VIEW = Capability.VIEW_PERSONAL
EDIT = Capability.EDIT_REGISTRY
PARTNER = Capability.REPORT_AS_PARTNER


# ------------------------------------------------------------------ complexes and partners


@require_GET
@require_capability(VIEW)
def complex_list(request: HttpRequest) -> HttpResponse:
    """The street's page: each complex, its partners and their reporting rate."""
    return render(
        request,
        "migrants/complex_list.html",
        {
            "rows": selectors.complex_overview(request_user(request)),
            "days": selectors.REPORTING_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(EDIT)
@submit_once
def complex_create(request: HttpRequest) -> HttpResponse:
    form = ComplexForm(posted(request), user=request_user(request))

    def create(actor: Actor, data: dict[str, Any]) -> ResidentialComplex:
        return services.complex_create(
            actor=actor,
            community=data["community"],
            name=data["name"],
            address=data["address"],
            property_company=data["property_company"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Residential complex registered."),
        next_url=reverse("migrants:complex_list"),
        template="migrants/form.html",
        title=_("Register a residential complex"),
        context={"form_testid": "complex-form"},
    )


@require_GET
@require_capability(VIEW)
def partner_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "migrants/partner_list.html",
        {
            "page": page_of(request, selectors.partners(request_user(request))),
            "query": query_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(EDIT)
@submit_once
def partner_create(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    form = PartnerForm(posted(request), user=actor.user, accounts=services.linkable_accounts(actor))

    def create(actor: Actor, data: dict[str, Any]) -> Partner:
        return services.partner_create(
            actor=actor,
            kind=data["kind"],
            name=data["name"],
            community=data["community"],
            complex_=data["complex"],
            contact=data["contact"],
            account=data["account"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Partner registered."),
        next_url=reverse("migrants:partner_list"),
        template="migrants/form.html",
        title=_("Register a partner"),
        context={"form_testid": "partner-form"},
    )


# --------------------------------------------------------------------- the staff worklist


@require_GET
@require_capability(EDIT)
def worklist(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.worklist(request_user(request)))
    return render(
        request,
        "migrants/worklist.html",
        {"page": page, "query": query_without_page(request)},
    )


def _report_page(
    request: HttpRequest,
    report: PartnerReport,
    *,
    reject_form: RejectForm | None = None,
    confirm_error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "migrants/report_detail.html",
        {
            "report": report,
            "region": region_name(report.region_code) if report.region_code else "",
            "reject_form": reject_form or RejectForm(),
            "confirm_error": confirm_error,
        },
        status=status,
    )


@require_GET
@require_capability(EDIT)
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    return _report_page(request, selectors.report_detail(request_user(request), report_id))


@require_POST
@require_capability(EDIT)
@submit_once
def report_confirm(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_detail(request_user(request), report_id)
    try:
        done = services.report_confirm(actor=Actor.from_request(request), report=report)
    except (NotFound, Forbidden):
        raise
    except JishengError as exc:
        # Nothing to fill in: the refusal (e.g. confirmed already) shows on the report's page.
        return _report_page(
            request, report, confirm_error="；".join(exc.problems), status=exc.status
        )
    messages.success(request, _("Report confirmed: the registry and the records are updated."))
    if done.record_id:
        return redirect("migrants:record_detail", record_id=done.record_id)
    return redirect("migrants:worklist")


@require_POST
@require_capability(EDIT)
@submit_once
def report_reject(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_detail(request_user(request), report_id)
    form = RejectForm(request.POST)
    status = 400
    if form.is_valid():
        done, status = submit(
            form,
            lambda: services.report_reject(
                actor=Actor.from_request(request),
                report=report,
                reason=form.cleaned_data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, _("Report rejected; the partner sees the reason."))
            return redirect("migrants:worklist")
    return _report_page(request, report, reject_form=form, status=status)


# ----------------------------------------------------------------------- the partner's pages


@require_GET
@require_capability(PARTNER)
def my_reports(request: HttpRequest) -> HttpResponse:
    """What this account reported and what became of it: nothing else."""
    user = request_user(request)
    page = page_of(request, selectors.reports(user))
    return render(
        request,
        "migrants/my_reports.html",
        {
            "page": page,
            "query": query_without_page(request),
            "partner": Partner.objects.visible_to(user).filter(account=user).first(),
            "states": ReportState,
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(PARTNER)
@submit_once
def report_new(request: HttpRequest) -> HttpResponse:
    services.partner_of(Actor.from_request(request))
    form = ReportForm(posted(request))

    def report(actor: Actor, data: dict[str, Any]) -> PartnerReport:
        return services.report_submit(
            actor=actor,
            data=ReportData(
                kind=data["kind"],
                name=data["name"],
                id_number=data["id_number"],
                moved_on=data["moved_on"],
                phone=data["phone"],
                hukou_type=data["hukou_type"],
                region_code=data["region_code"],
                address=data["address"],
                employer=data["employer"],
                note=data["note"],
            ),
        )

    return form_page(
        request,
        form=form,
        operation=report,
        success=_("Report sent to the community office."),
        next_url=reverse("migrants:my_reports"),
        template="migrants/form.html",
        title=_("Report a move"),
        context={"form_testid": "report-form"},
    )


@require_http_methods(["GET", "POST"])
@require_capability(PARTNER)
@submit_once
def report_upload(request: HttpRequest) -> HttpResponse:
    services.partner_of(Actor.from_request(request))
    form = UploadForm(posted(request), request.FILES if request.method == "POST" else None)

    def upload(actor: Actor, data: dict[str, Any]) -> list[PartnerReport]:
        return services.reports_upload(actor=actor, upload=data["file"])

    return form_page(
        request,
        form=form,
        operation=upload,
        success=_("Reports sent to the community office."),
        next_url=reverse("migrants:my_reports"),
        template="migrants/form.html",
        title=_("Report moves from a workbook"),
        context={
            "form_testid": "upload-form",
            "multipart": True,
            "template_url": reverse("migrants:report_template"),
        },
    )


@require_GET
@require_capability(PARTNER)
def report_template(request: HttpRequest) -> FileResponse:
    def write(target: IO[bytes]) -> None:
        services.write_report_template(target)

    return xlsx_response(write, filename="流动人口变动报告模板.xlsx")
