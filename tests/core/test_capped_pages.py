"""The one pager: counts stop at a cap, deeper pages are still reached, bad pages give the first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Substr
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisheng.core import pages
from jisheng.core.pages import AtLeast, CappedPaginator, by_unit, page_of
from jisheng.core.roles import Role
from jisheng.registry.models import Person

LIST = reverse("registry:person_list")


@pytest.fixture
def twelve(make_person) -> list[int]:
    """Twelve residents, ids in name order."""
    return [
        make_person(name=f"张{n:02d}", birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=n)).pk
        for n in range(12)
    ]


def ordered() -> object:
    return Person.objects.select_related("community").order_by("name", "id")


def ids(page: object) -> list[int]:
    return [row.pk for row in page]  # type: ignore[attr-defined]


def test_count_below_the_cap_is_exact(twelve) -> None:
    paginator = CappedPaginator(ordered(), 5, cap=20)
    assert paginator.count == 12
    assert not paginator.is_capped
    assert paginator.num_pages == 3
    last = paginator.get_page(3)
    assert ids(last) == twelve[10:]
    assert not last.has_next()
    assert last.end_index() == 12


def test_count_past_the_cap_says_at_least(twelve) -> None:
    paginator = CappedPaginator(ordered(), 5, cap=10)
    assert paginator.is_capped
    assert paginator.count == 10
    assert isinstance(paginator.count, AtLeast)
    assert str(paginator.count) == "10+"


def test_pages_beyond_the_cap_are_reached_and_end(twelve) -> None:
    paginator = CappedPaginator(ordered(), 5, cap=4)
    first = paginator.get_page(1)
    assert ids(first) == twelve[:5]
    assert first.has_next()
    assert not first.has_previous()
    third = paginator.get_page(3)
    assert ids(third) == twelve[10:]
    assert not third.has_next()
    assert third.has_previous()
    assert third.previous_page_number() == 2


def test_a_page_past_the_end_of_a_capped_list_is_the_first(twelve) -> None:
    page = CappedPaginator(ordered(), 5, cap=4).get_page(7)
    assert page.number == 1
    assert ids(page) == twelve[:5]


@pytest.mark.parametrize("bad", ["x", "", "-3", "0", "1.5", "9" * 5000, None, "99999999999999"])
def test_bad_page_numbers_give_the_first_page_when_capped(twelve, bad) -> None:
    page = CappedPaginator(ordered(), 5, cap=4).get_page(bad)
    assert page.number == 1
    assert ids(page) == twelve[:5]


def test_uncapped_list_keeps_the_last_page_for_a_high_number(twelve) -> None:
    page = CappedPaginator(ordered(), 5, cap=100).get_page(99)
    assert page.number == 3


def test_ids_first_gives_the_same_rows_in_the_same_order(twelve) -> None:
    for number in (1, 2, 3):
        plain = CappedPaginator(ordered(), 5, cap=4).get_page(number)
        joined = CappedPaginator(ordered(), 5, cap=4, ids_first=True).get_page(number)
        assert ids(plain) == ids(joined)
        assert all(row.community.name for row in joined)


def test_count_is_a_limited_subquery_and_the_page_joins_after_its_ids(twelve) -> None:
    with CaptureQueriesContext(connection) as queries:
        page = CappedPaginator(ordered(), 5, cap=4, ids_first=True).get_page(2)
        [row.community.name for row in page]
    count, page_ids, rows = (query["sql"].upper() for query in queries.captured_queries)
    assert "COUNT(" in count
    assert "LIMIT 5" in count
    assert "JOIN" not in page_ids
    assert "LIMIT 6" in page_ids
    assert "JOIN" in rows
    assert " IN (" in rows


def test_page_of_uses_the_cap(rf: RequestFactory, twelve, monkeypatch) -> None:
    monkeypatch.setattr(pages, "COUNT_CAP", 10)
    page = page_of(rf.get("/", {"page": "3"}), ordered(), 5)
    assert page.paginator.is_capped  # type: ignore[attr-defined]
    assert ids(page) == twelve[10:]
    assert page_of(rf.get("/"), list(range(3)), 5).paginator.count == 3


def test_the_pager_says_more_than_the_cap_in_chinese(
    twelve, make_user, client_for, monkeypatch
) -> None:
    monkeypatch.setattr(pages, "COUNT_CAP", 10)
    monkeypatch.setattr(pages, "PER_PAGE", 5)
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    content = client.get(LIST, {"name": "张", "page": "2"}).content.decode()
    assert "第 2 页，共 10+ 条记录" in content
    assert "10+" in content.split('data-testid="persons"')[0]  # the count above the table
    assert "page=3" in content
    assert "page=1" in content
    deep = client.get(LIST, {"name": "张", "page": "3"}).content.decode()
    assert 'data-testid="first-page">« 第一页</a>' in deep  # not 首页, the Home menu's label
    assert "page=4" not in deep


def test_the_pager_of_a_short_list_is_unchanged(twelve, make_user, client_for) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    response = client.get(LIST, {"name": "张"})
    assert response.context["page"].paginator.count == 12
    assert "第 1 页" not in response.content.decode()  # one page: no pager at all


def test_the_count_selects_ids_alone_and_keeps_filters_on_annotations(twelve) -> None:
    items = ordered().annotate(initial=Substr("name", 1, 1), ten=Value(10)).filter(initial="张")
    with CaptureQueriesContext(connection) as queries:
        paginator = CappedPaginator(items, 5, cap=20)
        assert paginator.count == 12
    count = queries.captured_queries[0]["sql"].upper()
    assert "SUBSTR" in count  # the filter on the annotation is kept
    assert "10 AS" not in count  # an annotation nothing filters on is not selected
    assert "BIRTH_DATE" not in count  # nor the rows' columns
    assert CappedPaginator(items.filter(initial="李"), 5, cap=20).count == 0


def test_a_row_reader_gives_the_page_in_list_order(twelve) -> None:
    read: list[list[int]] = []

    def rows(ids: list[int]) -> list[Person]:
        read.append(ids)
        # Any order, and without a row deleted meanwhile (the third of the page).
        return list(Person.objects.filter(pk__in=ids).exclude(pk=ids[2]).order_by("-pk"))

    page = CappedPaginator(ordered(), 5, cap=20, ids_first=True, rows=rows).get_page(2)
    assert read == [twelve[5:10]]
    assert ids(page) == [twelve[5], twelve[6], twelve[8], twelve[9]]


def test_a_row_reader_pages_a_list_by_unit_across_its_units(make_person, org) -> None:
    """A list ordered by unit first (``by_unit``) gives a row reader the page's ids across
    the units it spans, in list order, and shows what the reader returns in that order."""
    first, second = org.c1, org.c2
    in_first = [make_person(name=f"甲{n}", community=first).pk for n in range(3)]
    in_second = [make_person(name=f"乙{n}", community=second).pk for n in range(4)]
    items = by_unit(Person.objects.order_by("pk"), [first.pk, second.pk])
    read: list[list[int]] = []

    def rows(ids: list[int]) -> list[Person]:
        read.append(ids)
        return list(Person.objects.filter(pk__in=ids).order_by("-pk"))

    page = CappedPaginator(items, 4, cap=20, rows=rows).get_page(1)
    assert read == [in_first + in_second[:1]]
    assert ids(page) == in_first + in_second[:1]
    page = CappedPaginator(items, 4, cap=20, rows=rows).get_page(2)
    assert ids(page) == in_second[1:]
    # The same pages as model rows, without a reader.
    assert ids(CappedPaginator(items, 4, cap=20).get_page(2)) == in_second[1:]


def test_a_list_by_unit_is_counted_in_one_query_up_to_the_cap(make_person, org) -> None:
    for n in range(3):
        make_person(name=f"甲{n}", community=org.c1)
    for n in range(4):
        make_person(name=f"乙{n}", community=org.c2)
    items = by_unit(Person.objects.order_by("pk"), [org.c1.pk, org.c2.pk])
    with CaptureQueriesContext(connection) as counted:
        assert CappedPaginator(items, 4, cap=20).count == 7
    assert len(counted.captured_queries) == 1
    assert CappedPaginator(items, 4, cap=5).count == AtLeast(5)
    # Only the units listed: the list of one unit counts that unit's rows.
    assert CappedPaginator(by_unit(Person.objects.all(), [org.c2.pk]), 4).count == 4
