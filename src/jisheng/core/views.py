from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jisheng.core.actors import request_user
from jisheng.core.errors import NotFound
from jisheng.core.progress import progress_for_owner
from jisheng.core.refusals import refusal_report


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


API_PREFIX = "/api/"


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        # The API's callers read JSON, whatever failed (core.api's {code, message}).
        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error"}
        return JsonResponse(
            {"code": codes[status], "message": message},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
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
