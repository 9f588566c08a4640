from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.accounts.decorators import request_user, require_capability
from jisheng.accounts.roles import Capability
from jisheng.audit.services import Actor
from jisheng.core.errors import JishengError, NotFound
from jisheng.core.forms import OrgUnitForm
from jisheng.core.models import OrgUnit
from jisheng.core.progress import progress_for_owner
from jisheng.core.refusals import refusal_report
from jisheng.core.services import org_unit_create


@require_GET
def task_progress(request: HttpRequest, progress_id: int) -> HttpResponse:
    progress = progress_for_owner(progress_id, request_user(request).pk)
    template = (
        "core/_progress.html" if request.headers.get("HX-Request") else "core/progress_page.html"
    )
    return render(request, template, {"progress": progress})


@require_GET
def task_download(request: HttpRequest, progress_id: int) -> FileResponse:
    progress = progress_for_owner(progress_id, request_user(request).pk)
    if not progress.result_file:
        raise NotFound()
    path = Path(settings.MEDIA_ROOT) / progress.result_file
    if not path.is_file():
        raise NotFound()
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_USERS)
def org_units(request: HttpRequest) -> HttpResponse:
    units = OrgUnit.objects.visible_to(request_user(request))
    form = OrgUnitForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            org_unit_create(actor=Actor.from_request(request), **form.cleaned_data)
        except JishengError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Unit added."))
            return redirect("core:org_units")
    status = 400 if form.errors else 200
    return render(request, "core/org_units.html", {"units": units, "form": form}, status=status)


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    refusal_report(request, 403)
    return _error(request, 403, _("Not allowed"), _("Your role does not allow this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    refusal_report(request, 404)
    return _error(
        request,
        404,
        _("Not found"),
        _("The page or record does not exist, or lies outside your area."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Server error"), _("Something went wrong; it has been logged."))
