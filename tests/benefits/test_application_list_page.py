"""The applications page: newest first, every column it always showed, read with only those
columns (no notice, no program rules, no person's other columns) at the same queries for few
and many applications; its rows read as values (``application_rows``), scoped like every read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from jisheng.benefits.models import Application
from jisheng.benefits.models.workflow import State
from jisheng.benefits.selectors import ApplicationRow, application_rows
from jisheng.benefits.services.applications import application_create
from jisheng.core.actors import Actor

pytestmark = pytest.mark.django_db


def _apply(street, rural, make_family, n: int, community=None) -> Application:
    husband, _wife, _kids = make_family(
        community=community,
        hukou="rural",
        husband_birth=dt.date(1950, 1, 1 + n),
        children=(("M", dt.date(1980, 1, 1)),),
    )
    return application_create(actor=Actor(user=street), program=rural, person=husband)


def test_the_page_lists_applications_newest_first_with_every_column(
    street, rural, make_family, client_for
) -> None:
    client = client_for(street)
    url = reverse("benefits:application_list")
    client.get(url)  # the session's first request resolves the roles once

    def page_with(count: int) -> tuple[str, int, list[str]]:
        while Application.objects.count() < count:
            _apply(street, rural, make_family, Application.objects.count())
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return page, len(queries), [q["sql"] for q in queries.captured_queries]

    _few, few_queries, _sql = page_with(1)
    page, many_queries, sql = page_with(4)

    assert few_queries == many_queries
    expected = Application.objects.select_related("program", "person", "community").order_by(
        "-created_at", "-pk"
    )
    positions = [page.index(f'data-application="{a.pk}"') for a in expected]
    assert len(positions) == 4
    assert positions == sorted(positions)
    for application in expected:
        row = page.split(f'data-application="{application.pk}"')[1].split("</tr>")[0]
        assert f'href="{reverse("benefits:application_detail", args=[application.pk])}"' in row
        for shown in (
            application.program.name,
            application.person.name,
            application.person.id_number_masked,
            application.community.name,
            application.get_state_display(),
        ):
            assert shown in row
    rows_query = next(s for s in sql if '"registry_person"."name"' in s)
    for unshown in ("notice_id", "bank_account", '"rule"', "funding_shares", "id_number_index"):
        assert unshown not in rows_query
    options = next(s for s in sql if s.startswith('SELECT "benefits_program"'))
    assert '"rule"' not in options


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"state": "zz"}, "没有这种状态"),
        ({"program": "no-such-program"}, "没有这个项目"),
    ],
)
def test_a_bad_filter_shows_the_list_s_filter_with_a_message(
    street, client_for, query, message
) -> None:
    """Not a bare refusal (or "not found") page: the filter again, and what was wrong."""
    response = client_for(street).get(reverse("benefits:application_list"), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'name="program"' in page
    assert 'name="state"' in page


def test_a_filter_that_finds_no_application_says_so(street, client_for) -> None:
    url = reverse("benefits:application_list")
    page = client_for(street).get(url, {"state": "rejected"}).content.decode()
    assert '<td colspan="6" class="empty">暂无申请。</td>' in page


def test_application_rows_give_nothing_outside_the_users_scope(
    org, street, worker, rural, make_family
) -> None:
    """The row reader is a read like any other: another community's ids give no row."""
    mine = _apply(street, rural, make_family, 0, community=org.c1)
    theirs = _apply(street, rural, make_family, 1, community=org.c2)
    found = application_rows(user=worker, ids=[theirs.pk, mine.pk])  # community c1 only
    assert [row.pk for row in found] == [mine.pk]
    assert application_rows(user=worker, ids=[theirs.pk]) == []
    both = application_rows(user=street, ids=[theirs.pk, mine.pk])
    assert [(row.pk, row.community_name) for row in both] == [
        (theirs.pk, org.c2.name),
        (mine.pk, org.c1.name),
    ]


def test_application_rows_show_what_the_model_shows_in_either_language(
    org, street, rural, make_family
) -> None:
    submitted = _apply(street, rural, make_family, 0, community=org.c1)
    returned = _apply(street, rural, make_family, 1, community=org.c2)
    Application.objects.filter(pk=returned.pk).update(state=State.RETURNED)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for application in Application.objects.filter(
                pk__in=[submitted.pk, returned.pk]
            ).select_related("program", "person", "community"):
                (row,) = application_rows(user=street, ids=[application.pk])
                assert row == ApplicationRow(
                    pk=application.pk,
                    program_name=application.program.name,
                    person_name=application.person.name,
                    person_id_number_masked=application.person.id_number_masked,
                    community_name=application.community.name,
                    created_at=application.created_at,
                    state=application.state,
                    state_label=application.get_state_display(),
                )
    with translation.override("en"):
        labels = [row.state_label for row in application_rows(user=street, ids=[returned.pk])]
    assert labels == ["Returned for correction"]
