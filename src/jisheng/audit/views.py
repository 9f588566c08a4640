from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jisheng.audit import selectors, services
from jisheng.audit.forms import AuditSearchForm
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.pages import page_of
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability


def _filters(request: HttpRequest) -> dict[str, object]:
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise JishengError(form.errors.as_text(), code="invalid_filter")
    return {k: v for k, v in (form.cleaned_data if form.is_bound else {}).items() if v}


@require_GET
@require_capability(Capability.VIEW_AUDIT)
def search(request: HttpRequest) -> HttpResponse:
    events = services.audit_search_recorded(
        actor=Actor.from_request(request), filters=_filters(request)
    )
    page = page_of(request, events)
    rows = selectors.audit_rows(viewer=request_user(request), events=page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/search.html",
        {
            "form": AuditSearchForm(request.GET or None),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


@require_POST
@require_capability(Capability.VIEW_AUDIT)
def export(request: HttpRequest) -> HttpResponse:
    progress = services.audit_export_start(
        actor=Actor.from_request(request), filters=_filters(request)
    )
    return redirect("core:task_progress", progress_id=progress.pk)
