"""公示 pages: publish reviewed applications, the printable list, objections, resolutions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.benefits import selectors
from jisheng.benefits.forms import NoticeForm, ObjectionForm, ResolveForm
from jisheng.benefits.masking import mask_name
from jisheng.benefits.models import Application, Objection, PublicNotice
from jisheng.benefits.services.notices import notice_publish, objection_record, objection_resolve
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import form_page, posted
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def notice_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "benefits/notice_list.html",
        {"notices": selectors.notice_list(request_user(request))},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.REVIEW_BENEFITS)
@submit_once
def notice_new(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    program = selectors.program_get(user, code)
    candidates = selectors.reviewable_applications(user, program)
    choices = [(a.pk, f"{a.person.name} · {a.community.name}") for a in candidates]
    form = NoticeForm(posted(request), choices=choices, initial={"days": program.notice_days})
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: notice_publish(
            actor=actor,
            program=program,
            application_ids=data["application_ids"],
            starts_on=data["starts_on"],
            days=data["days"],
            title=data["title"],
        ),
        success=_("Public notice published."),
        next_url=lambda notice: reverse("benefits:notice_detail", kwargs={"notice_id": notice.pk}),
        template="benefits/notice_form.html",
        context={"program": program, "count": len(choices)},
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The list as posted: names and ID numbers masked as is customary; prints on its own."""
    user = request_user(request)
    notice = visible_or_404(PublicNotice, user=user, pk=notice_id)
    entries = [
        {
            "application": listing.application,
            "listing": listing,
            "masked_name": mask_name(listing.application.person.name),
        }
        for listing in selectors.notice_listings(user, notice)
    ]
    return render(
        request,
        "benefits/notice_detail.html",
        {
            "notice": notice,
            "entries": entries,
            "objections": selectors.notice_objections(user, notice),
            "objection_form": ObjectionForm(),
            "resolve_form": ResolveForm(),
            "can_review": user.has_capability(Capability.REVIEW_BENEFITS),
        },
    )


@require_POST
@require_capability(Capability.VIEW_PERSONAL)
@submit_once
def objection_new(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = request_user(request)
    notice = visible_or_404(PublicNotice, user=user, pk=notice_id)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Fill in the date and what the objection says."))
    data = form.cleaned_data
    application = visible_or_404(Application, user=user, pk=data["application_id"])
    if application.notice_id != notice.pk:
        raise JishengError(_("The application is not on this notice."))
    objection_record(
        actor=Actor.from_request(request),
        application=application,
        content=data["content"],
        received_on=data["received_on"],
        contact=data["contact"],
    )
    messages.success(request, _("Objection recorded."))
    return redirect("benefits:notice_detail", notice_id=notice.pk)


@require_POST
@require_capability(Capability.REVIEW_BENEFITS)
def objection_settle(request: HttpRequest, objection_id: int) -> HttpResponse:
    user = request_user(request)
    objection = visible_or_404(Objection, user=user, pk=objection_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Choose a decision and write down the resolution."))
    objection_resolve(
        actor=Actor.from_request(request),
        objection=objection,
        upheld=form.cleaned_data["upheld"],
        resolution=form.cleaned_data["resolution"],
    )
    messages.success(request, _("Objection resolved."))
    return redirect("benefits:notice_detail", notice_id=objection.notice_id)
