"""What the contraceptive pages share: posted data, calling one service, the form page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jisheng.contraceptives.forms import YearForm
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError, NotFound

FORM_TEMPLATE = "contraceptives/form.html"


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def submit[T](form: forms.Form, operation: Callable[[], T]) -> tuple[T | None, int]:
    """Call one service. A refusal goes onto the form; 404 and 403 stay error pages."""
    try:
        return operation(), 200
    except (NotFound, Forbidden):
        raise
    except JishengError as exc:
        form.add_error(None, str(exc.message))
        return None, exc.status


def form_page[T](
    request: HttpRequest,
    *,
    form: forms.Form,
    operation: Callable[[Actor, dict[str, Any]], T],
    success: str,
    next_url: Callable[[T], str],
    context: dict[str, Any],
    template: str = FORM_TEMPLATE,
) -> HttpResponse:
    """GET: the form. POST: check its shape, call the service, go on to ``next_url``."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            actor = Actor.from_request(request)
            result, status = submit(form, lambda: operation(actor, form.cleaned_data))
            if result is not None:
                messages.success(request, success)
                return redirect(next_url(result))
    return render(request, template, {"form": form, **context}, status=status)


# 18 decimal digits always fit a 64-bit column, so no such value overflows the database.
QUERY_INT_DIGITS = 18


def query_int(request: HttpRequest, name: str) -> int | None:
    """A whole number from the query string: None when absent or empty, a 400 when it is
    not plain ASCII digits (``"²".isdigit()`` is true, yet ``int("²")`` fails) or too long."""
    value = request.GET.get(name, "")
    if not value:
        return None
    if not (value.isascii() and value.isdecimal() and len(value) <= QUERY_INT_DIGITS):
        raise JishengError(
            _("The value of %(name)s is not a valid number.") % {"name": name},
            code="invalid_input",
        )
    return int(value)


def year_from(form: YearForm) -> int:
    """The year asked for (this year when none); a 400 when it is not a plausible year."""
    if form.is_bound and not form.is_valid():
        raise JishengError(_("The year is not valid."), code="invalid_input")
    return form.year_or_current()
