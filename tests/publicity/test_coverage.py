"""Coverage: activities per community per quarter, the yearly "五个一" checklist, the share
of staff trained, and the indicator function the targets module can register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.publicity.models import Asset, AssetKind
from jisheng.publicity.selectors import coverage, coverage_for, trained_share
from jisheng.publicity.services import activity_record, asset_create, training_record

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date


def activity(user, unit, day: dt.date, cost: str = "100") -> None:
    activity_record(
        actor=Actor(user=user),
        org_unit=unit,
        date=day,
        kind="lecture",
        title="讲座",
        organiser="社区",
        audience=50,
        cost=cost,
    )


@pytest.fixture
def year_of_work(worker, street, org) -> None:
    activity(worker, org.c1, dt.date(2025, 2, 1))
    activity(worker, org.c1, dt.date(2025, 3, 31))
    activity(worker, org.c1, dt.date(2025, 8, 15))
    activity(worker, org.c1, dt.date(2024, 12, 31))  # another year
    activity(street, org.street, dt.date(2025, 5, 29), cost="18000")
    actor = Actor(user=street)
    for kind in (AssetKind.POPULATION_SCHOOL, AssetKind.CULTURE_YARD, AssetKind.CULTURE_STREET):
        asset_create(actor=actor, org_unit=org.c1, kind=kind, name=kind.label)
    asset_create(
        actor=actor,
        org_unit=org.c1,
        kind=AssetKind.TROUPE,
        name="庄户剧团",
        status=Asset.Status.CLOSED,
        opened_on=dt.date(2015, 1, 1),
        closed_on=dt.date(2024, 6, 30),
    )
    asset_create(actor=actor, org_unit=org.c2, kind=AssetKind.TROUPE, name="剧团", status="planned")
    # The street's TV column serves every community of the street.
    asset_create(actor=actor, org_unit=org.street, kind=AssetKind.TV_COLUMN, name="电视专题栏目")


def test_activities_per_community_per_quarter(year_of_work, leader, org) -> None:
    found = coverage_for(leader, 2025)

    rows = {row.unit.pk: row for row in found.rows}
    assert rows[org.c1.pk].quarters == [2, 0, 1, 0]
    assert rows[org.c1.pk].audience == 150
    assert rows[org.c1.pk].cost == Decimal("300.00")
    assert rows[org.c2.pk].quarters == [0, 0, 0, 0]
    assert found.street_wide is not None
    assert found.street_wide.quarters == [0, 1, 0, 0]
    assert found.quarters == [2, 1, 1, 0]
    assert found.communities_covered == 1


def test_five_ones_checklist_by_year(year_of_work, leader, org) -> None:
    rows = {row.unit.pk: row for row in coverage_for(leader, 2025).rows}
    assert rows[org.c1.pk].five_ones == {
        "population_school": True,
        "culture_yard": True,
        "culture_street": True,
        "troupe": False,  # closed in 2024
        "column": True,  # the street's TV column
    }
    assert rows[org.c2.pk].five_ones_met == 1  # planned troupe does not count; the column does
    rows_2024 = {row.unit.pk: row for row in coverage_for(leader, 2024).rows}
    assert rows_2024[org.c1.pk].five_ones_met == 5
    assert coverage_for(leader, 2024).complete_five_ones == 1


def test_a_worker_sees_the_coverage_of_the_own_community_only(year_of_work, worker, org) -> None:
    found = coverage_for(worker, 2025)
    assert [row.unit for row in found.rows] == [org.c1]
    assert found.street_wide is None


def test_coverage_page_shows_the_figures(year_of_work, leader, client_for, org) -> None:
    page = client_for(leader).get("/publicity/coverage/?year=2025").content.decode()
    assert f'data-unit="{org.c1.pk}"' in page
    assert 'data-quarter="1">2<' in page
    assert client_for(leader).get("/publicity/coverage/?year=12").status_code == 400


def test_the_indicator_is_the_percent_of_communities_with_an_activity(year_of_work, org) -> None:
    communities = OrgUnit.objects.filter(
        path__startswith=org.street.path, kind__in=["community", "village"]
    ).count()
    year = Span(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    expected = (Decimal(100) / communities).quantize(Decimal("0.1"))
    assert coverage(org.street, year) == expected
    assert coverage(org.c1, year) == Decimal("100.0")
    assert coverage(org.c2, year) == Decimal("0.0")
    assert coverage(org.c1, Span(dt.date(2025, 4, 1), dt.date(2025, 6, 30))) == Decimal("0.0")


def test_share_of_staff_trained_this_year(street, worker, make_user, org, leader) -> None:
    other = make_user(Role.COMMUNITY_WORKER, org.c2)
    make_user(Role.SYSTEM_ADMIN)  # not staff
    actor = Actor(user=street)
    training_record(
        actor=actor,
        org_unit=org.street,
        topic="专题培训班（第1期）",
        trainer="王老师",
        start_date=dt.date(2025, 4, 10),
        end_date=dt.date(2025, 4, 11),
        hours="12",
        attendees=[worker, other],
    )
    training_record(
        actor=actor,
        org_unit=org.street,
        topic="上年培训",
        trainer="王老师",
        start_date=dt.date(2024, 4, 10),
        end_date=dt.date(2024, 4, 10),
        hours="4",
        attendees=[street],
    )
    share = trained_share(street, 2025)
    # staff: street staff, leader, two community workers
    assert (share.staff, share.trained, share.percent) == (4, 2, Decimal("50.0"))
    assert trained_share(leader, 2025).trained == 2
    assert trained_share(worker, 2025).staff == 1  # a worker's area is the own community


def test_the_targets_indicator_counts_months_with_an_activity(year_of_work, worker, org) -> None:
    from jisheng.core import modules
    from jisheng.core.indicators import Period

    indicator = modules.indicators()["publicity.activity_months"]
    q1 = Period(2025, 1)  # c1: February and March of three months
    figures = indicator.compute_units([org.c1, org.c2, org.street], q1)
    assert figures == {
        org.c1.pk: Decimal("66.7"),
        org.c2.pk: Decimal("0.0"),
        org.street.pk: Decimal("66.7"),
    }
    # The street's own May activity counts for the street, not for its communities.
    q2 = Period(2025, 2)
    assert indicator.compute_units([org.c1, org.street], q2) == {
        org.c1.pk: Decimal("0.0"),
        org.street.pk: Decimal("33.3"),
    }
    records = indicator.records(worker, org.c1, q1)
    assert [record.day for record in records] == [dt.date(2025, 2, 1), dt.date(2025, 3, 31)]
    assert all(record.url.startswith("/publicity/activities/") for record in records)
