"""What every page shares: posted data, calling one service with a form, the form page,
paging, and whole numbers and record ids from the query string."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError, NotFound

# Record ids are at most this (a signed 64-bit column; SQLite raises OverflowError beyond it).
MAX_ID = 2**63 - 1
# 18 decimal digits always fit a 64-bit column, so no such value overflows the database.
ID_DIGITS = 18
PER_PAGE = 50


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, or None on GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def submit[T](form: forms.Form, operation: Callable[[], T]) -> tuple[T | None, int]:
    """Call one service: ``(result, 200)``, or ``(None, status)`` with the refusal on the form.

    NotFound and Forbidden stay error pages. An error that lists several ``problems``
    (e.g. a resident's data) shows each one.
    """
    try:
        return operation(), 200
    except (NotFound, Forbidden):
        raise
    except JishengError as exc:
        for problem in exc.problems:
            form.add_error(None, problem)
        return None, exc.status


def form_page[T](
    request: HttpRequest,
    *,
    form: forms.Form,
    operation: Callable[[Actor, dict[str, Any]], T],
    success: str | Promise,
    next_url: str | Callable[[T], str],
    template: str,
    title: str | Promise | None = None,
    cancel_url: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """GET: the form. POST: check its shape, call the service, go on to ``next_url``.

    A form error or a refusal renders the form again with the input kept (status 400,
    or the refusal's status). ``title`` and ``cancel_url`` (default: ``next_url`` when it
    is a string) go into the template context with ``form``.
    """
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            actor = Actor.from_request(request)
            result, status = submit(form, lambda: operation(actor, form.cleaned_data))
            if result is not None:
                messages.success(request, str(success))
                return redirect(next_url if isinstance(next_url, str) else next_url(result))
    extra: dict[str, Any] = {}
    if title is not None:
        extra["title"] = title
    if cancel_url is None and isinstance(next_url, str):
        cancel_url = next_url
    if cancel_url is not None:
        extra["cancel_url"] = cancel_url
    return render(request, template, {"form": form, **extra, **(context or {})}, status=status)


def page_of(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> Page[Any]:
    """The page of ``items`` named by ``?page=`` (the last page when too high, first when bad)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The query string without ``page``, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def is_id_text(value: str) -> bool:
    """ASCII digits only (``"²".isdigit()`` is true, ``int("²")`` fails), short enough for a
    64-bit integer column."""
    return value.isascii() and value.isdecimal() and len(value) <= ID_DIGITS


def query_int(request: HttpRequest, name: str) -> int | None:
    """A whole number from the query string: None when absent or empty, a 400 when it is
    not plain ASCII digits or too long for a database integer."""
    value = request.GET.get(name, "")
    if not value:
        return None
    if not is_id_text(value):
        raise JishengError(
            _("The value of %(name)s is not a valid number.") % {"name": name},
            code="invalid_input",
        )
    return int(value)


def query_id(request: HttpRequest, name: str) -> int | None:
    """A record id from the query string: None when absent or empty, a 400 when it is not a
    plain number that fits a database id (0 is let through: it finds nothing, a 404)."""
    value = request.GET.get(name, "")
    if not value:
        return None
    if not is_id_text(value):
        raise JishengError(_("Not a valid record number."), code="invalid_id")
    return int(value)
