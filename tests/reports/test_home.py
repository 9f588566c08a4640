"""Home page figures stay inside the user's scope."""

from __future__ import annotations

from jisheng.core.roles import Role
from jisheng.reports.rollups.services import rollups_refresh
from jisheng.reports.selectors import home_figures, unit_breakdown


def figures(user) -> dict[str, int]:
    rollups_refresh()  # as the worker does every few minutes
    return {f.key: f.value for f in home_figures(user)}


def test_community_worker_counts_only_own_community(
    org, make_user, make_person, make_household
) -> None:
    make_household(make_person(org.c1))
    make_person(org.c1, name="王五")
    make_person(org.c2, name="李四")
    assert figures(make_user(Role.COMMUNITY_WORKER)) == {
        "persons": 2,
        "floating": 0,
        "households": 1,
        "moved_out": 0,
    }


def test_street_staff_counts_every_community_and_gets_a_breakdown(
    org, make_user, make_person
) -> None:
    make_person(org.c1)
    make_person(org.c2, name="李四")
    staff = make_user(Role.STREET_STAFF)
    assert figures(staff)["persons"] == 2
    rows = {row["code"]: row["persons"] for row in unit_breakdown(staff)}
    assert rows[org.c1.code] == 1
    assert rows[org.c2.code] == 1


def test_street_staff_households_are_the_whole_streets(
    org, make_user, make_person, make_household
) -> None:
    """Not the last community's: the walk found the street's card showing 39, one
    village's figure, beside a breakdown that added up to 1,028."""
    make_household(make_person(org.c1))
    make_household(make_person(org.c1, name="王五"))
    make_household(make_person(org.c2, name="李四"))
    staff = make_user(Role.STREET_STAFF)
    assert figures(staff)["households"] == 3
    rows = {row["code"]: row["households"] for row in unit_breakdown(staff)}
    assert (rows[org.c1.code], rows[org.c2.code]) == (2, 1)
    assert figures(make_user(Role.COMMUNITY_WORKER, org.c2))["households"] == 1


def test_separated_roles_get_no_figures(org, make_user, make_person) -> None:
    make_person(org.c1)
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.SECURITY_AUDITOR):
        assert home_figures(make_user(role)) == []


def test_home_page_renders_counts(org, make_user, make_person, client_for) -> None:
    make_person(org.c1)
    rollups_refresh()
    response = client_for(make_user(Role.COMMUNITY_WORKER)).get("/")
    assert response.status_code == 200
    assert b'data-count="persons">1<' in response.content
    assert "数据截至" in response.content.decode()


def test_home_page_says_when_figures_are_not_counted_yet(
    org, make_user, make_person, client_for
) -> None:
    make_person(org.c1)
    response = client_for(make_user(Role.COMMUNITY_WORKER)).get("/")
    assert b'data-count="persons">0<' in response.content
    assert "尚未统计" in response.content.decode()


def test_district_supervisor_sees_streets_side_by_side(org, make_user, make_person) -> None:
    make_person(org.c1)
    make_person(org.c2, name="李四")
    supervisor = make_user(Role.DISTRICT_SUPERVISOR)
    assert figures(supervisor)["persons"] == 2
    assert [(row["code"], row["persons"]) for row in unit_breakdown(supervisor)] == [
        (org.street.code, 2)
    ]
