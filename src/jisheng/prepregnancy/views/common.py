"""What the pages share: calling one service with the form's data, and the plain form page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.prepregnancy.forms import is_id_text


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def query_id(request: HttpRequest, name: str) -> int | None:
    """The record id in query parameter ``name``: None when absent or empty, a 400 when it
    is not a plain number that fits a database id."""
    value = request.GET.get(name, "")
    if not value:
        return None
    if not is_id_text(value):
        raise JishengError(_("Not a valid record number."), code="invalid_id")
    return int(value)


def submit[T](form: forms.Form, operation: Callable[[], T]) -> tuple[T | None, int]:
    """Call one service. A refusal goes onto the form; 404 and 403 stay error pages."""
    try:
        return operation(), 200
    except (NotFound, Forbidden):
        raise
    except JishengError as exc:
        form.add_error(None, str(exc.message))
        return None, exc.status


def form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    operation: Callable[[Actor, dict[str, Any]], object],
    title: str | Promise,
    success: str | Promise,
    done_url: str,
    context: dict[str, Any] | None = None,
    template: str = "prepregnancy/form.html",
) -> HttpResponse:
    """GET: the form. POST: check its shape, call the service, go back to ``done_url``."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            actor = Actor.from_request(request)
            result, status = submit(form, lambda: operation(actor, form.cleaned_data))
            if result is not None:
                messages.success(request, str(success))
                return redirect(done_url)
    return render(
        request,
        template,
        {"title": title, "form": form, "cancel_url": done_url, **(context or {})},
        status=status,
    )
