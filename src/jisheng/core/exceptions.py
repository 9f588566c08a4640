"""Turn the project error into a page response, so views stay thin.

A refused POST from a page of this site shows that page again — the form with the input
kept (filled back in by app.js) and the reason on top — instead of a dead-end error page.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.core.refusals import refusal_report

logger = logging.getLogger(__name__)

# Never sent back to the browser in the page, even to the one who typed it.
_NOT_KEPT = ("csrfmiddlewaretoken", "password", "token", "otp", "secret")


class JishengErrorMiddleware:
    """NotFound → 404 page, Forbidden → 403 page; another refusal of a form sent from one of
    our pages → that page again with the message and the input; else a 400 page. An empty
    405 (a POST-only address opened by GET) → a page that says so and leads back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not request.path.startswith("/api/")
            and not getattr(response, "streaming", False)
            and not response.content
        ):
            page = error_page(
                request,
                title=_("This address only takes a submitted form"),
                message=_(
                    "This action is taken by a button on its page, not by opening its address."
                ),
                status=405,
            )
            page.headers["Allow"] = response.headers.get("Allow", "POST")
            return page
        return response

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
            if request.method == "POST" and not request.headers.get("HX-Request"):
                again = page_again(request, message=message, status=exception.status)
                if again is not None:
                    return again
        if request.headers.get("HX-Request"):
            messages.error(request, message)
        return error_page(request, title=title, message=message, status=exception.status)


def error_page(request: HttpRequest, *, title: str, message: str, status: int) -> HttpResponse:
    """The error page, with a link back to the page of this site the user came from."""
    return render(
        request,
        "core/error.html",
        {"title": title, "message": message, "back_url": _referring_page(request)},
        status=status,
    )


def _referring_page(request: HttpRequest) -> str | None:
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(referer)
    if parts.path == request.path and request.method != "POST":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def kept_input(request: HttpRequest) -> dict[str, list[str]]:
    """What the user typed into a refused form, to fill it back in (secrets left out)."""
    return {
        name: request.POST.getlist(name)
        for name in request.POST
        if not any(word in name.lower() for word in _NOT_KEPT)
    }


def refused_post(request: HttpRequest, *, page: str, message: str) -> dict[str, Any]:
    """What the page shell shows after a refused form (``refused_post`` in its context): the
    reason on top, and the input for app.js to fill back in. A view that shows its own page
    again after a refusal sets it as ``request.refused_post``."""
    return {"action": request.path, "page": page, "input": kept_input(request), "message": message}


def page_again(request: HttpRequest, *, message: str, status: int) -> HttpResponse | None:
    """The page the refused form was sent from, rendered again (a GET of it), with the
    refusal as a message and the input to fill back in; None when there is no such page."""
    page = _referring_page(request)
    if page is None:
        return None
    path, _sep, query = page.partition("?")
    try:
        match = resolve(path)
    except Resolver404:
        return None
    again = copy.copy(request)
    again.method = "GET"
    again.GET = QueryDict(query)
    again.POST = QueryDict()
    again.path = again.path_info = path
    again.META = {**request.META, "REQUEST_METHOD": "GET", "QUERY_STRING": query}
    again.resolver_match = match
    again.refused_post = refused_post(request, page=page, message=message)  # type: ignore[attr-defined]
    try:
        response: Any = match.func(again, *match.args, **match.kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
    except Exception:  # the page cannot be shown again: the plain error page instead
        logger.info("The page %s could not be shown again after a refusal", path, exc_info=True)
        return None
    if response.status_code != 200 or getattr(response, "streaming", False):
        return None
    response.status_code = status
    return response  # type: ignore[no-any-return]
