"""Pages of resident import and export: upload, result, template, bad rows, list export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.core import text
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.exports import csv_response, xlsx_response
from jisheng.core.lookups import community_choices
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.registry import exporting
from jisheng.registry.forms import PersonFilterForm
from jisheng.registry.imports import files, limits, selectors
from jisheng.registry.imports import services as imports
from jisheng.registry.imports.files import ImportFileError
from jisheng.registry.selectors import PersonFilters

TEMPLATE_FILE_NAME = "居民导入模板.xlsx"


class PersonImportForm(text.Form):
    """Shape only: a file, and optionally the community that rows without one go to."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(".xlsx or .csv (UTF-8 or GBK), first row the column names"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    community: forms.ModelChoiceField[OrgUnit] = forms.ModelChoiceField(
        label=_("Community"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("As the file's 所属社居 column says"),
    )

    def __init__(self, *args: Any, communities: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        field.queryset = communities  # type: ignore[attr-defined]
        if len(communities) == 1:
            field.initial = communities[0].pk
            field.empty_label = None  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@require_capability(Capability.EDIT_REGISTRY)
@submit_once
def person_import_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PersonImportForm(
        request.POST or None, request.FILES or None, communities=community_choices(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            person_import = imports.person_import_start(
                actor=Actor.from_request(request),
                upload=form.cleaned_data["file"],
                community=form.cleaned_data.get("community"),
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect("registry:person_import_detail", import_id=person_import.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "registry/import_new.html",
        {
            "form": form,
            "max_mb": f"{limits.max_bytes() / 1024 / 1024:g}",
            "max_rows": limits.max_rows(),
            "headers": files.TEMPLATE_NOTES,
        },
        status=status,
    )


@require_GET
@require_capability(Capability.EDIT_REGISTRY)
def person_import_template(request: HttpRequest) -> HttpResponseBase:
    return xlsx_response(files.write_template, filename=TEMPLATE_FILE_NAME)


@require_GET
@require_capability(Capability.EDIT_REGISTRY)
def person_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    person_import = selectors.person_import_for_owner(
        user=request_user(request), import_id=import_id
    )
    context = {
        "imp": person_import,
        "running": person_import.state in selectors.RUNNING_STATES,
        "error_count": selectors.error_count(person_import),
        "error_rows": selectors.listed_error_rows(person_import),
        "omitted": selectors.omitted_error_rows(person_import),
        "percent": selectors.progress_percent(person_import),
    }
    template = (
        "registry/import_status.html"
        if request.headers.get("HX-Request")
        else "registry/import_detail.html"
    )
    return render(request, template, context)


@require_GET
@require_capability(Capability.EDIT_REGISTRY)
def person_import_bad_rows(request: HttpRequest, import_id: int) -> HttpResponseBase:
    actor = Actor.from_request(request)
    return xlsx_response(
        lambda handle: imports.person_import_bad_rows(
            actor=actor, import_id=import_id, destination=handle
        ),
        filename=f"错误行-{import_id}.xlsx",
    )


def _person_filters(request: HttpRequest) -> PersonFilters:
    """The resident list's filters, parsed by the list page's own form."""
    communities = community_choices(request_user(request))
    form = PersonFilterForm(request.GET or None, communities=communities)
    if form.is_bound and not form.is_valid():
        raise JishengError(form.errors.as_text(), code="invalid_filter")
    return form.filters()


def _export_name(extension: str) -> str:
    return f"居民名单-{timezone.localdate():%Y%m%d}.{extension}"


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_export_xlsx(request: HttpRequest) -> HttpResponseBase:
    rows = exporting.person_export(
        actor=Actor.from_request(request), filters=_person_filters(request), file_format="xlsx"
    )
    return xlsx_response(
        lambda handle: exporting.write_persons_xlsx(handle, rows), filename=_export_name("xlsx")
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def person_export_csv(request: HttpRequest) -> HttpResponseBase:
    rows = exporting.person_export(
        actor=Actor.from_request(request), filters=_person_filters(request), file_format="csv"
    )
    return csv_response(exporting.EXPORT_HEADERS, rows, filename=_export_name("csv"))
