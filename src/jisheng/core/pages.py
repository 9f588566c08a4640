"""What every page shares: posted data, calling one service with a form, the form page,
paging, and whole numbers and record ids from the query string."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeGuard, overload

from django import forms
from django.contrib import messages
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
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
# A list counts its rows up to this many and then says "1000+": counting a whole scope of a
# million residents to print one number costs more than the page itself.
COUNT_CAP = 1000
# Deeper pages than this are refused as bad input (the first page): the offset stays far
# below what a database integer holds.
MAX_PAGE = 1_000_000
# Reads a page's rows by their ids (``CappedPaginator(rows=…)``); each row has a ``pk``.
type RowReader = Callable[[list[Any]], Iterable[Any]]


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


class AtLeast(int):
    """A count that stopped at its cap: it compares as the cap and reads "1000+"."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class Concatenated[M: Model]:
    """Each unit's rows one after another (``by_unit``), paged as one list without sorting
    them all.

    For a list ordered first by something an index cannot serve (a related row's code) but
    which splits it into parts each served by an index: the parts in that order, each read
    in its own index order, skipping whole parts by a count limited to the rows skipped;
    a page's ids are found first and its rows, with their joins, fetched by id.
    """

    def __init__(self, parts: _UnitParts[M]) -> None:
        self.parts = parts

    def count_up_to(self, limit: int) -> int:
        """How many rows there are, counting no further than ``limit``."""
        return self.parts.count_up_to(limit)

    def __getitem__(self, index: slice) -> list[M]:
        rows: list[M] = []
        for part, ids in self._page_ids(index):
            rows += _rows_by_ids(part, ids)
        return rows

    def ids(self, index: slice) -> list[Any]:
        """The ids of the rows ``index`` names, in list order (for a ``RowReader``)."""
        return [pk for _, ids in self._page_ids(index) for pk in ids]

    def _page_ids(self, index: slice) -> list[tuple[QuerySet[M], list[Any]]]:
        """Per part that the slice reaches, its ids in the slice, in order."""
        skip, wanted = index.start or 0, index.stop - (index.start or 0)
        found: list[tuple[QuerySet[M], list[Any]]] = []
        taken = 0
        for part in self.parts:
            if taken >= wanted:
                break
            if skip:
                size = part.order_by()[:skip].count()
                if size < skip:
                    skip -= size
                    continue
            ids = list(part.values_list("pk", flat=True)[skip : skip + wanted - taken])
            found.append((part, ids))
            taken += len(ids)
            skip = 0
        return found


def by_unit[M: Model](items: QuerySet[M], unit_ids: Sequence[int]) -> Concatenated[M]:
    """``items`` of each unit in turn (by ``community_id``), in the order of ``unit_ids``:
    a list ordered by its unit first, each unit read in the order of its own index."""
    return Concatenated(_UnitParts(items, list(unit_ids)))


class _UnitParts[M: Model](Sequence[QuerySet[M]]):
    """One unit's rows per item, built when the pager reaches that unit: a page seldom reads
    past the first one or two units, and building a street's dozen filtered querysets up
    front cost more than the queries the page runs."""

    def __init__(self, items: QuerySet[M], unit_ids: list[int]) -> None:
        self.items = items
        self.unit_ids = unit_ids
        # The pager counts, then reads, the same first units: each is built once.
        self.built: dict[int, QuerySet[M]] = {}

    def __len__(self) -> int:
        return len(self.unit_ids)

    def count_up_to(self, limit: int) -> int:
        """The rows of every unit, counted in one query no further than ``limit``: a count
        does not depend on the order, and counting unit by unit took one round trip per
        unit until the limit was reached (a street's dozen on a long list)."""
        every = self.items.filter(community_id__in=self.unit_ids)
        return every.values("pk").order_by()[:limit].count()

    @overload
    def __getitem__(self, index: int) -> QuerySet[M]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[QuerySet[M]]: ...
    def __getitem__(self, index: int | slice) -> QuerySet[M] | Sequence[QuerySet[M]]:
        if isinstance(index, slice):
            return _UnitParts(self.items, self.unit_ids[index])
        unit_id = self.unit_ids[index]
        if unit_id not in self.built:
            self.built[unit_id] = self.items.filter(community_id=unit_id)
        return self.built[unit_id]


class CappedPaginator(Paginator[Any]):
    """Pages over a list counted only up to ``cap`` rows; deeper pages are still reached.

    ``count`` is exact up to the cap, else an ``AtLeast(cap)`` ("1000+"), counted over a
    LIMITed subquery so the database stops at the cap. Beyond it, whether a next page
    exists is known by fetching one row more than the page shows. With ``ids_first`` a
    queryset's page is found as ids alone (ordered, no joins) and its rows, with their
    ``select_related`` joins, fetched by id afterwards, so the database sorts and limits
    before it joins. ``rows`` (with ``ids_first``, or over a ``Concatenated`` list) reads the
    page's rows by their ids instead of the queryset's model objects: for a list whose row
    joins several tables, a small row read as values costs a fraction of building each
    table's model object.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        cap: int | None = None,
        ids_first: bool = False,
        rows: RowReader | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap
        self.ids_first = ids_first
        self.rows = rows

    @cached_property
    def count(self) -> int:
        items = self.object_list
        if isinstance(items, QuerySet) and not items.query.is_sliced:
            if items._iterable_class is ModelIterable:
                # Count ids alone: a sliced count selects every column and annotation the
                # rows have (a couple's two EXISTS tests), which counting needs none of.
                items = items.values("pk")
            counted = items.order_by()[: self.cap + 1].count()
        elif isinstance(items, Concatenated):
            counted = items.count_up_to(self.cap + 1)
        else:
            counted = len(items)
        return AtLeast(self.cap) if counted > self.cap else counted

    @property
    def is_capped(self) -> bool:
        """More rows than were counted: the pager says "1000+" and shows no last page."""
        return isinstance(self.count, AtLeast)

    def validate_number(self, number: Any) -> int:
        if not self.is_capped:
            return super().validate_number(number)
        try:
            checked = int(number)
        except (TypeError, ValueError, OverflowError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if not 1 <= checked <= MAX_PAGE:
            raise PageNotAnInteger(self.error_messages["invalid_page"])
        return checked

    def get_page(self, number: Any) -> Page[Any]:
        """The page named (the first when bad; the last when too high, or the first when
        the list is longer than was counted and the page lies past its end)."""
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        page = self.page(number)
        if number > 1 and not page.object_list:
            return self.page(1)
        return page

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.is_capped:
            if top + self.orphans >= self.count:
                top = self.count
            return CappedPage(self._rows(bottom, top), number, self, has_more=False)
        rows = self._rows(bottom, top + 1)
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)

    def _rows(self, bottom: int, top: int) -> Sequence[Any]:
        items = self.object_list
        if isinstance(items, Concatenated) and self.rows is not None:
            ids = items.ids(slice(bottom, top))
            return in_order(self.rows(ids), ids)
        if not (self.ids_first and _joins_later(items)):
            return list(items[bottom:top])
        ids = list(items.values_list("pk", flat=True)[bottom:top])
        if self.rows is not None:
            return in_order(self.rows(ids), ids)
        return _rows_by_ids(items, ids)


def _rows_by_ids[M: Model](items: QuerySet[M], ids: list[Any]) -> list[M]:
    """The rows of ``items`` with these ids, with their joins, in the order of ``ids``."""
    return in_order(items.order_by().filter(pk__in=ids), ids)


def in_order[R](rows: Iterable[R], ids: list[Any]) -> list[R]:
    """``rows`` (each with a ``pk``) in the order of ``ids``; an id no longer found is left out."""
    found = {row.pk: row for row in rows}  # type: ignore[attr-defined]
    return [found[pk] for pk in ids if pk in found]


def _joins_later(items: Any) -> TypeGuard[QuerySet[Any]]:
    """A plain queryset of model rows, whose page can be fetched by its ids."""
    return (
        isinstance(items, QuerySet)
        and items._iterable_class is ModelIterable
        and not items.query.is_sliced
        and not items.query.distinct
    )


class CappedPage(Page[Any]):
    """A page of a ``CappedPaginator``: past the cap, "next" is known from one extra row."""

    paginator: CappedPaginator

    def __init__(
        self, object_list: Any, number: int, paginator: CappedPaginator, *, has_more: bool
    ) -> None:
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        if self.paginator.is_capped:
            return self.has_more
        return super().has_next()

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


def page_of(
    request: HttpRequest,
    items: Any,
    per_page: int | None = None,
    *,
    ids_first: bool = False,
    rows: RowReader | None = None,
) -> Page[Any]:
    """The page of ``items`` named by ``?page=`` (``PER_PAGE`` rows): the first when bad, the
    last when too high; never an exact count past ``COUNT_CAP`` (see ``CappedPaginator``)."""
    paginator = CappedPaginator(items, per_page or PER_PAGE, ids_first=ids_first, rows=rows)
    return paginator.get_page(request.GET.get("page"))


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
