"""Payment batch pages: build, review, approve, the disbursement file, paid/failed, reversal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.benefits import selectors
from jisheng.benefits.exporting import disbursement_rows
from jisheng.benefits.forms import (
    BatchBuildForm,
    CorrectionForm,
    ExportForm,
    ReverseForm,
    SettleForm,
)
from jisheng.benefits.models import Payment, PaymentBatch
from jisheng.benefits.services import payments
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.exports import csv_response, write_xlsx, xlsx_response
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import form_page, page_of, posted, query_without_page, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability


@require_GET
@require_capability(Capability.APPROVE_BENEFITS)
def batch_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "benefits/batch_list.html",
        {
            "page": page_of(
                request,
                selectors.batch_list(user),
                ids_first=True,
                rows=lambda ids: selectors.batch_rows(user=user, ids=ids),
            ),
            "query": query_without_page(request),
            "programs": [p for p in selectors.program_list(user) if p.pays_cash],
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.REVIEW_BENEFITS)
def batch_new(request: HttpRequest, code: str) -> HttpResponse:
    """The build form; a valid one queues the build and goes to its progress page.

    Not ``submit_once``: the service answers a second start with the build already queued
    for that period, so a resubmission lands on the same progress page."""
    user = request_user(request)
    program = selectors.program_get(user, code)
    form = BatchBuildForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            actor = Actor.from_request(request)
            started, status = submit(
                form,
                lambda: payments.batch_build_start(
                    actor=actor, program=program, period_key=form.cleaned_data["period"]
                ),
            )
            if started is not None:
                return redirect("benefits:batch_build", progress_id=started.pk)
    return render(
        request,
        "benefits/batch_form.html",
        {"form": form, "program": program},
        status=status,
    )


# htmx stops polling when an answer has this status.
_STOP_POLLING = 286


@require_GET
@require_capability(Capability.REVIEW_BENEFITS)
def batch_build(request: HttpRequest, progress_id: int) -> HttpResponse:
    """A build's progress, polled by the page itself; once built, on to the batch."""
    build = selectors.batch_build_for(request_user(request), progress_id)
    polled = bool(request.headers.get("HX-Request"))
    if build.batch is not None:
        messages.success(request, _("Draft batch built."))
        target = reverse("benefits:batch_detail", args=[build.batch.pk])
        return HttpResponse(headers={"HX-Redirect": target}) if polled else redirect(target)
    template = "benefits/_batch_build.html" if polled else "benefits/batch_build.html"
    status = _STOP_POLLING if polled and build.progress.finished else 200
    return render(request, template, {"build": build, "progress": build.progress}, status=status)


@require_GET
@require_capability(Capability.APPROVE_BENEFITS)
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = request_user(request)
    batch = selectors.batch_detail(user, batch_id)
    status = request.GET.get("status", "")
    if status and status not in Payment.Status.values:
        raise JishengError(_("Unknown status."))
    return render(
        request,
        "benefits/batch_detail.html",
        {
            "batch": batch,
            "totals": selectors.batch_totals(batch),
            "page": page_of(request, selectors.batch_lines(user, batch, status=status), 100),
            "query": query_without_page(request),
            "status": status,
            "statuses": Payment.Status.choices,
            "export_form": ExportForm(),
            "can_approve": user.has_capability(Capability.APPROVE_BENEFITS),
            "can_review": user.has_capability(Capability.REVIEW_BENEFITS),
        },
    )


@require_POST
@require_capability(Capability.REVIEW_BENEFITS)
def batch_review(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    payments.batch_review(actor=Actor.from_request(request), batch=batch)
    messages.success(request, _("Batch marked reviewed."))
    return redirect("benefits:batch_detail", batch_id=batch.pk)


@require_POST
@require_capability(Capability.APPROVE_BENEFITS)
def batch_approve(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    payments.batch_approve(actor=Actor.from_request(request), batch=batch)
    messages.success(request, _("Batch approved and locked."))
    return redirect("benefits:batch_detail", batch_id=batch.pk)


@require_POST
@require_capability(Capability.REVIEW_BENEFITS)
def batch_discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    payments.batch_discard(actor=Actor.from_request(request), batch=batch)
    messages.success(request, _("Draft batch discarded."))
    return redirect("benefits:batch_list")


@require_POST
@require_capability(Capability.REVIEW_BENEFITS)
def batch_line_remove(request: HttpRequest, batch_id: int, payment_id: int) -> HttpResponse:
    batch = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    payments.batch_line_remove(
        actor=Actor.from_request(request), batch=batch, payment_id=payment_id
    )
    messages.success(request, _("Line removed from the draft."))
    return redirect("benefits:batch_detail", batch_id=batch.pk)


@require_POST
@require_capability(Capability.REVIEW_BENEFITS)
@submit_once
def batch_settle(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = visible_or_404(PaymentBatch, user=request_user(request), pk=batch_id)
    form = SettleForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Choose paid or failed."))
    data = form.cleaned_data
    ids = None if data["all_pending"] else data["payment_ids"]
    if ids is not None and not ids:
        raise JishengError(_("Choose the lines, or all pending lines."))
    changed = payments.payments_settle(
        actor=Actor.from_request(request),
        batch=batch,
        payment_ids=ids,
        paid=data["outcome"] == "paid",
        reason=data["reason"],
    )
    messages.success(request, _("%(count)d lines recorded.") % {"count": changed})
    return redirect("benefits:batch_detail", batch_id=batch.pk)


@require_POST
@require_capability(Capability.APPROVE_BENEFITS)
@submit_once
def payment_reverse(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = visible_or_404(Payment, user=request_user(request), pk=payment_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Give the reason for the reversal."))
    payments.payment_reverse(
        actor=Actor.from_request(request), payment=payment, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Payment reversed."))
    return redirect("benefits:batch_detail", batch_id=payment.batch_id)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.REVIEW_BENEFITS)
@submit_once
def payment_correct(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Pay a reversed payment again: a draft correction batch, approved like any batch."""
    payment = selectors.payment_for(request_user(request), payment_id)
    return form_page(
        request,
        form=CorrectionForm(posted(request)),
        operation=lambda actor, data: payments.batch_correction_build(
            actor=actor, payment=payment, reason=data["reason"]
        ),
        success=_("Draft correction batch built; it is paid once reviewed and approved."),
        next_url=lambda batch: reverse("benefits:batch_detail", kwargs={"batch_id": batch.pk}),
        template="benefits/correction_form.html",
        cancel_url=reverse("benefits:batch_detail", kwargs={"batch_id": payment.batch_id}),
        context={"payment": payment},
    )


@require_GET
@require_capability(Capability.REVIEW_BENEFITS)
def batch_export(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    user = request_user(request)
    batch = visible_or_404(PaymentBatch, user=user, pk=batch_id)
    form = ExportForm(request.GET)
    if not form.is_valid():
        raise JishengError(_("Choose the format and the columns of the file."))
    file_format, columns = form.cleaned_data["format"], form.cleaned_data["columns"]
    header, rows = disbursement_rows(
        actor=Actor.from_request(request), batch=batch, columns=columns, file_format=file_format
    )
    kind = _("correction payment list") if batch.is_correction else _("payment list")
    name = f"{kind}-{batch.program.name}-{batch.period_label}-{batch.pk}"
    if file_format == "csv":
        return csv_response(header, rows, filename=f"{name}.csv")
    text = [
        i
        for i, c in enumerate(columns)
        if c in {"payee_id_number", "person_id_number", "bank_account"}
    ]
    title = _("Correction payment list") if batch.is_correction else _("Payment list")
    return xlsx_response(
        lambda target: write_xlsx(target, header, rows, title=title, text_columns=text),
        filename=f"{name}.xlsx",
    )
