"""What the benefits pages share: the acting user, refusals shown on the form, paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

from jisheng.core.errors import Forbidden, JishengError, NotFound


def posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def submit[T](form: forms.Form, operation: Callable[[], T]) -> tuple[T | None, int]:
    """Call one service; a refusal goes onto the form with its status, 404/403 stay pages."""
    try:
        return operation(), 200
    except (NotFound, Forbidden):
        raise
    except JishengError as error:
        form.add_error(None, str(error.message))
        return None, error.status


def page_of(request: HttpRequest, items: Any, per_page: int = 50) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
