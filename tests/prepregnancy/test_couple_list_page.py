"""The target couples page: its rows are the worklist's, in the worklist's order, with every
column the page always showed, read as values with only those columns (spouses joined and
checkups tested for the page's files only)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisheng.core.roles import Role
from jisheng.prepregnancy.models import TargetCouple
from jisheng.prepregnancy.selectors.couples import CoupleFilters, couple_list, couple_pages
from jisheng.prepregnancy.services import checkups, contacts, couples
from jisheng.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(org, actor, street_actor, marry, checkup_data, today) -> list[TargetCouple]:
    """Files in two communities and several states: contacted, one spouse checked, floating."""
    spouses = [
        marry(days_ago=days, community=community, floating=days == 12)
        for days, community in ((40, org.c1), (5, org.c2), (20, org.c1), (12, org.c2), (30, org.c1))
    ]
    couples.target_couples_refresh(actor=street_actor)
    made = [TargetCouple.objects.get(wife=pair.wife) for pair in spouses]
    contacts.contact_record(
        actor=actor, couple=made[0], method="phone", outcome="reached", date=today
    )
    checkups.checkup_record(actor=actor, couple=made[2], spouse="wife", data=checkup_data())
    return made


def test_the_page_lists_the_worklist_in_its_order_with_every_column(
    org, files, make_user, client_for
) -> None:
    street = make_user(Role.STREET_STAFF)
    client = client_for(street)
    url = reverse("prepregnancy:couple_list")
    client.get(url)  # the session's first request resolves the roles once

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()

    expected = [c.pk for c in couple_list(user=street)]
    assert [c.pk for c in couple_pages(user=street, filters=CoupleFilters())] == expected
    assert len({c.state for c in TargetCouple.objects.all()}) > 1
    positions = [page.index(f'data-couple="{pk}"') for pk in expected]
    assert positions == sorted(positions)
    for couple in TargetCouple.objects.select_related("husband", "wife", "community"):
        row = page.split(f'data-couple="{couple.pk}"')[1].split("</tr>")[0]
        assert f'href="{reverse("prepregnancy:couple_detail", args=[couple.pk])}"' in row
        for shown in (
            couple.wife.name,
            couple.husband.name,
            couple.community.name,
            couple.get_source_display(),
            couple.entered_on.isoformat(),
            couple.get_state_display(),
            couple.last_contact.isoformat() if couple.last_contact else "—",
        ):
            assert shown in row
        floating = couple.wife.is_floating + couple.husband.is_floating
        assert row.count('class="badge badge-warn">') == floating
        assert ("✓" in row) == (couple.state == "one_checked")

    rows_query = next(
        q["sql"] for q in queries.captured_queries if '"registry_person"."name"' in q["sql"]
    )
    for unshown in ("created_at", "marriage_id", "planning_since", "id_number_index", "address"):
        assert unshown not in rows_query
    # Which spouse is checked is tested for the page's files only, not in the ordered list.
    assert rows_query.count('FROM "prepregnancy_checkup"') == 2
    ordered = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    ordered = [sql for sql in ordered if '"prepregnancy_targetcouple"' in sql]
    assert ordered
    assert not any("prepregnancy_checkup" in sql for sql in ordered)
    # The spouses are joined for the page's rows, not read in queries of their own.
    assert not any(
        q["sql"].startswith('SELECT "registry_person"') for q in queries.captured_queries
    )


def test_a_name_filter_and_a_state_filter_keep_the_worklist_order(files, worker) -> None:
    Person.objects.filter(pk=files[3].wife_id).update(name="赵敏")
    for filters in (
        CoupleFilters(name="王芳"),
        CoupleFilters(name="赵"),
        CoupleFilters(state="one_checked"),
        CoupleFilters(community_id=files[0].community_id),
    ):
        expected = [c.pk for c in couple_list(user=worker, filters=filters)]
        assert [c.pk for c in couple_pages(user=worker, filters=filters)] == expected
