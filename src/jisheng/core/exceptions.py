"""Turn the project error into a page response, so views stay thin."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.core.refusals import refusal_report


class JishengErrorMiddleware:
    """NotFound → 404 page, Forbidden → 403 page, other refusals → 400 page with the message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/") or not isinstance(exception, JishengError):
            return None
        if isinstance(exception, NotFound | Forbidden):
            refusal_report(request, exception.status)
        if isinstance(exception, NotFound):
            title, message = (
                _("Not found"),
                _("The page or record does not exist, or lies outside your area."),
            )
        elif isinstance(exception, Forbidden):
            title, message = _("Not allowed"), str(exception.message)
        else:
            title, message = _("Refused"), str(exception.message)
        if request.headers.get("HX-Request"):
            messages.error(request, message)
        return render(
            request,
            "core/error.html",
            {"title": title, "message": message},
            status=exception.status,
        )
