"""Application pages: list, take one, one application with its steps, documents, the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.benefits import selectors
from jisheng.benefits.forms import ApplicationForm, DocumentForm, ObjectionForm, TransitionForm
from jisheng.benefits.models import Application, ApplicationDocument
from jisheng.benefits.models.workflow import State
from jisheng.benefits.services.applications import (
    STEPS,
    application_create,
    application_transition,
    available_actions,
    document_attach,
)
from jisheng.benefits.services.notices import objection_record
from jisheng.benefits.views.programs import program_refused
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.core.exceptions import refused_post
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import page_of, posted, query_without_page, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.core.uploads import stored_file_response
from jisheng.registry.picker import scope_residents


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def application_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    code = request.GET.get("program", "")
    state = request.GET.get("state", "")
    context: dict[str, Any] = {
        "page": None,
        "query": query_without_page(request),
        "programs": selectors.program_choices(user),
        "program": None,
        "state": state,
        "states": State.choices,
    }
    # A hand-edited or stale link: the list's filter again, with what was wrong.
    if state and state not in State.values:
        context.update(state="", problem=_("There is no such state: choose one from the list."))
        return render(request, "benefits/application_list.html", context, status=400)
    if code:
        try:
            context["program"] = selectors.program_get(user, code)
        except NotFound:
            context["problem"] = _("There is no such program: choose one from the list.")
            return render(request, "benefits/application_list.html", context, status=400)
    applications = selectors.application_list(user, program=context["program"], state=state)
    context["page"] = page_of(
        request,
        applications,
        ids_first=True,
        rows=lambda ids: selectors.application_rows(user=user, ids=ids),
    )
    return render(request, "benefits/application_list.html", context)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def application_new(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    program = selectors.program_get(user, code)
    if refusal := program.application_refusal():
        # Nothing typed here could be saved: no form to fill in vain.
        return program_refused(
            request,
            program,
            title=_("Take an application"),
            refusal=refusal,
            testid="no-applications",
        )
    initial = {"person_id": request.GET.get("person")} if request.GET.get("person") else None
    form = ApplicationForm(posted(request), initial=initial)
    scope_residents(form, user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            actor = Actor.from_request(request)

            def create() -> object:
                # Both come from the picker, already within the user's area.
                return application_create(
                    actor=actor,
                    program=program,
                    person=data["person_id"],
                    payee=data["payee_id"],
                    bank_account=data["bank_account"],
                    note=data["note"],
                )

            try:
                application, status = submit(form, create)
            except NotFound:
                form.add_error("person_id", _("No such resident in your area."))
                application, status = None, 404
            if application is not None:
                messages.success(request, _("Application taken."))
                return redirect("benefits:application_detail", application_id=application.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "benefits/application_form.html",
        {"form": form, "program": program},
        status=status,
    )


def _detail_page(
    request: HttpRequest,
    application_id: int,
    *,
    comment: str = "",
    status: int = 200,
) -> HttpResponse:
    """The application page; after a refused step, with the reason and the comment kept."""
    actor = Actor.from_request(request)
    application = selectors.application_detail(actor=actor, application_id=application_id)
    actions = [
        {
            "action": action,
            "label": STEPS[action].label,
            "needs_comment": STEPS[action].needs_comment,
        }
        for action in available_actions(application, actor.user)
    ]
    return render(
        request,
        "benefits/application_detail.html",
        {
            "application": application,
            "actions": actions,
            "transitions": application.transitions.select_related("actor"),
            "documents": application.documents.all(),
            "objections": application.objections.defer("objector_contact").select_related(
                "recorded_by", "resolved_by"
            ),
            "document_form": DocumentForm(),
            "objection_form": ObjectionForm(initial={"application_id": application.pk}),
            "can_object": application.state == State.IN_NOTICE,
            "comment": comment,
        },
        status=status,
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    return _detail_page(request, application_id)


@require_POST
@require_capability(Capability.VIEW_PERSONAL)
def application_act(request: HttpRequest, application_id: int) -> HttpResponse:
    """One workflow step; a refusal shows the page again with the reason and the comment."""
    user = request_user(request)
    application = visible_or_404(Application, user=user, pk=application_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("The request is not valid."))
    try:
        application_transition(
            actor=Actor.from_request(request),
            application=application,
            action=form.cleaned_data["action"],
            comment=form.cleaned_data["comment"],
        )
    except (NotFound, Forbidden):
        raise
    except JishengError as refusal:
        request.refused_post = refused_post(  # type: ignore[attr-defined]
            request,
            page=reverse("benefits:application_detail", args=[application.pk]),
            message=str(refusal.message),
        )
        return _detail_page(
            request, application.pk, comment=form.cleaned_data["comment"], status=refusal.status
        )
    messages.success(
        request, _("Done: %(step)s.") % {"step": STEPS[form.cleaned_data["action"]].label}
    )
    return redirect("benefits:application_detail", application_id=application.pk)


@require_POST
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def document_upload(request: HttpRequest, application_id: int) -> HttpResponse:
    user = request_user(request)
    application = visible_or_404(Application, user=user, pk=application_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        raise JishengError(_("Choose a file to attach."))
    document_attach(
        actor=Actor.from_request(request),
        application=application,
        title=form.cleaned_data["title"],
        upload=form.cleaned_data["file"],
    )
    messages.success(request, _("Document attached."))
    return redirect("benefits:application_detail", application_id=application.pk)


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """Served only through the scope check: uploads have no public URL."""
    user = request_user(request)
    document = visible_or_404(ApplicationDocument, user=user, pk=document_id)
    name = (document.file.name or "document").rsplit("/", 1)[-1]
    return stored_file_response(document.file, download_name=name)


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def approval_form(request: HttpRequest, application_id: int) -> HttpResponse:
    """审批表: one printable page per application."""
    actor = Actor.from_request(request)
    application = selectors.application_detail(actor=actor, application_id=application_id)
    return render(
        request,
        "benefits/approval_form.html",
        {
            "application": application,
            "transitions": application.transitions.select_related("actor"),
        },
    )


@require_POST
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def application_objection(request: HttpRequest, application_id: int) -> HttpResponse:
    """A community worker records an objection raised with them about an application on notice."""
    user = request_user(request)
    application = visible_or_404(Application, user=user, pk=application_id)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Fill in the date and what the objection says."))
    objection_record(
        actor=Actor.from_request(request),
        application=application,
        content=form.cleaned_data["content"],
        received_on=form.cleaned_data["received_on"],
        contact=form.cleaned_data["contact"],
    )
    messages.success(request, _("Objection recorded."))
    return redirect("benefits:application_detail", application_id=application.pk)
