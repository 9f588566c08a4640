"""The roster page reads each unit's entries in the order of the roster's index, unit by
unit in path order: every slice of the list is the one the full sort gives, with every
filter, and the page's queries never sort by the joined unit path or read what it does
not show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisheng.contraceptives.models import RosterEntry
from jisheng.contraceptives.selectors.roster import (
    RosterFilters,
    roster_list,
    roster_pages,
    roster_rows,
)
from jisheng.contraceptives.services import roster
from jisheng.core.roles import Role

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def entries(org, make_person, make_user, street_actor) -> list[RosterEntry]:
    """Entries in two communities, names and methods interleaved, some stopped."""
    made = []
    for n, community in enumerate([org.c2, org.c1, org.c2, org.c1, org.c1, org.c2]):
        woman = make_person(
            community, name=f"李{'丙甲乙'[n % 3]}{n}", sex="F", birth_date=dt.date(1990, 1, 1)
        )
        for method in ("oral", "condom"):
            made.append(
                roster.roster_enroll(
                    actor=street_actor, person=woman, method=method, start_date=DAY
                )
            )
    for entry in made[1::4]:
        roster.roster_stop(
            actor=street_actor, entry=entry, stop_date=DAY, reason="no_longer_needed"
        )
    return made


def _in_order(filters: RosterFilters) -> list[int]:
    matching = [
        e
        for e in RosterEntry.objects.select_related("person__community")
        if (not filters.active_only or e.stop_date is None)
        and (not filters.method or e.method == filters.method)
        and (not filters.community_id or e.person.community_id == filters.community_id)
    ]
    matching.sort(key=lambda e: (e.person.community.path, e.person.name, e.method, e.pk))
    return [e.pk for e in matching]


@pytest.mark.parametrize(
    "filters",
    [
        RosterFilters(),
        RosterFilters(active_only=False),
        RosterFilters(method="condom", active_only=False),
        RosterFilters(method="oral"),
    ],
)
def test_every_slice_of_the_roster_is_the_one_the_full_sort_gives(
    entries, street_user, filters
) -> None:
    expected = _in_order(filters)
    pages = roster_pages(user=street_user, filters=filters)

    assert pages.count_up_to(1000) == len(expected) > 2
    assert [e.pk for e in roster_list(user=street_user, filters=filters)] == expected
    for start in range(len(expected)):
        assert [e.pk for e in pages[start : start + 3]] == expected[start : start + 3]


def test_a_community_filter_and_a_community_worker_see_only_that_community(
    org, entries, street_user, make_user
) -> None:
    only_c2 = RosterFilters(community_id=org.c2.pk, active_only=False)
    expected = _in_order(only_c2)
    assert [e.pk for e in roster_pages(user=street_user, filters=only_c2)[0:50]] == expected

    worker_c2 = make_user(Role.COMMUNITY_WORKER, org.c2)
    shown = roster_pages(user=worker_c2, filters=RosterFilters(active_only=False))
    assert [e.pk for e in shown[0:50]] == expected
    # A community outside the worker's scope shows nothing, not that community's entries.
    foreign = RosterFilters(community_id=org.c1.pk, active_only=False)
    assert roster_pages(user=worker_c2, filters=foreign)[0:50] == []


def test_the_page_shows_every_column_in_order_and_never_sorts_by_the_unit_path(
    org, entries, street_user, client_for
) -> None:
    client = client_for(street_user)
    url = reverse("contraceptives:roster_list")
    client.get(url)  # the session's first request resolves the roles once

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, {"include_stopped": "on"}).content.decode()

    expected = _in_order(RosterFilters(active_only=False))
    rows = [page.split(f'data-entry="{pk}"')[1].split("</tr>")[0] for pk in expected]
    assert [page.index(f'data-entry="{pk}"') for pk in expected] == sorted(
        page.index(f'data-entry="{pk}"') for pk in expected
    )
    for pk, row in zip(expected, rows, strict=True):
        entry = RosterEntry.objects.select_related("person", "community").get(pk=pk)
        assert f'href="{reverse("contraceptives:roster_detail", args=[pk])}"' in row
        for shown in (
            entry.person.name,
            entry.person.get_sex_display(),
            "1990-01-01",
            entry.person.id_number_masked,
            entry.community.name,
            entry.get_method_display(),
            DAY.isoformat(),
        ):
            assert shown in row
        if entry.stop_date is not None:
            assert f"{entry.stop_date.isoformat()} · {entry.get_stop_reason_display()}" in row
    assert RosterEntry.objects.filter(stop_date__isnull=False).exists()

    read = [q["sql"] for q in queries.captured_queries if "contraceptives_rosterentry" in q["sql"]]
    assert not any('"core_orgunit"."path"' in sql for sql in read)
    rows_query = next(sql for sql in read if '"registry_person"."name"' in sql)
    for unshown in ("notes", "created_at", "enrolled_by_id", "id_number_index", "address"):
        assert unshown not in rows_query


def test_the_street_page_costs_the_same_queries_for_few_and_many_entries(
    org, make_person, street_user, street_actor, client_for
) -> None:
    client = client_for(street_user)
    url = reverse("contraceptives:roster_list")
    client.get(url)

    def queries_with(count: int) -> int:
        while RosterEntry.objects.count() < count:
            n = RosterEntry.objects.count()
            woman = make_person(
                (org.c1, org.c2)[n % 2], name=f"赵{n:02d}", sex="F", birth_date=dt.date(1991, 2, 3)
            )
            roster.roster_enroll(actor=street_actor, person=woman, method="iud", start_date=DAY)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(14)


def test_a_stopped_entry_is_muted_and_what_is_missing_is_a_dash(
    entries, street_user, client_for
) -> None:
    client = client_for(street_user)
    url = reverse("contraceptives:roster_list")
    page = client.get(url, {"include_stopped": "on"}, headers={"accept-language": "en"})
    html = page.content.decode()
    for entry in entries:
        entry.refresh_from_db()
        tag, row = html.split(f'data-entry="{entry.pk}"')[1].split("</tr>")[0].split(">", 1)
        assert ('class="muted"' in tag) == (entry.stop_date is not None)
        cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
        if entry.stop_date is None:
            assert cells[-2] == "—"
        assert cells[-1] == "—"  # no distribution point

    nobody = client.get(url, {"method": "implant"}, headers={"accept-language": "en"})
    assert '<td colspan="9" class="empty">Nobody on the roster matches.</td>' in (
        nobody.content.decode()
    )


def test_rows_read_by_id_are_only_those_in_the_readers_area_in_the_order_asked(
    org, entries, street_user, make_user
) -> None:
    in_c1 = [e.pk for e in entries if e.community_id == org.c1.pk]
    in_c2 = [e.pk for e in entries if e.community_id == org.c2.pk]
    asked = [*reversed(in_c2), *in_c1]

    assert [row.pk for row in roster_rows(user=street_user, ids=asked)] == asked
    worker_c2 = make_user(Role.COMMUNITY_WORKER, org.c2)
    # Another community's entries give no rows, not even when asked for by id.
    assert roster_rows(user=worker_c2, ids=in_c1) == []
    assert [row.pk for row in roster_rows(user=worker_c2, ids=asked)] == asked[: len(in_c2)]


def test_a_row_names_its_point_and_the_labels_of_its_choices(
    org, make_person, street_actor, street_user, point, client_for
) -> None:
    woman = make_person(org.c1, name="王芳", sex="F", birth_date=dt.date(1992, 5, 6))
    entry = roster.roster_enroll(
        actor=street_actor, person=woman, method="iud", start_date=DAY, point=point
    )
    roster.roster_stop(actor=street_actor, entry=entry, stop_date=DAY, reason="side_effects")

    (row,) = roster_rows(user=street_user, ids=[entry.pk])
    assert (row.point_name, row.method, row.stop_reason) == (point.name, "iud", "side_effects")
    page = client_for(street_user).get(
        reverse("contraceptives:roster_list"),
        {"include_stopped": "on"},
        headers={"accept-language": "en"},
    )
    shown = page.content.decode().split(f'data-entry="{entry.pk}"')[1].split("</tr>")[0]
    assert "<td>Female</td>" in shown
    assert f"<td>{DAY.isoformat()} · Side effects</td><td>{point.name}</td>" in shown
    assert "IUD" in shown
