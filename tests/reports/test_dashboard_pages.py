"""The dashboard page: open to the roles that read or count records, each seeing its own area;
charts come from every app's ``dashboard_charts``."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.urls import reverse

from jisheng.core.charts import Chart, ChartData, Series
from jisheng.core.roles import Role
from jisheng.reports.rollups.services import rollups_refresh

URL = reverse("reports:dashboard")


def test_roles_without_figures_are_refused(org, make_user, client_for) -> None:
    for role in (
        Role.PARTNER_REPORTER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.SECURITY_AUDITOR,
    ):
        assert client_for(make_user(role)).get(URL).status_code == 403, role


def test_anonymous_is_sent_to_sign_in(client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_each_role_sees_its_area_in_the_table(org, make_user, make_person, client_for) -> None:
    make_person(org.c1, name="甲", birth_date=dt.date(1990, 1, 1))
    make_person(org.c2, name="乙", sex="F", birth_date=dt.date(1990, 1, 1))
    rollups_refresh()
    for role, men, women in (
        (Role.COMMUNITY_WORKER, 1, 0),
        (Role.STREET_STAFF, 1, 1),
        (Role.LEADER, 1, 1),
        (Role.DISTRICT_SUPERVISOR, 1, 1),
    ):
        response = client_for(make_user(role)).get(URL)
        assert response.status_code == 200, role
        body = response.content.decode()
        assert 'data-testid="chart-pyramid"' in body
        assert "数据截至" in body
        assert "查看数据表" in body
        pyramid = response.context["charts"][0].data
        assert sum(pyramid.series[0].values) == men, role
        assert sum(pyramid.series[1].values) == women, role


def test_pyramid_bars_lead_to_the_scoped_resident_list(org, make_user, client_for) -> None:
    rollups_refresh()
    response = client_for(make_user(Role.COMMUNITY_WORKER)).get(URL)
    body = response.content.decode()
    link = reverse("registry:person_list") + "?status=living&amp;age_min=30&amp;age_max=34"
    assert f'<a href="{link}">30-34</a>' in body
    # The list behind the bar answers, inside the worker's scope.
    listed = client_for(make_user(Role.COMMUNITY_WORKER)).get(link.replace("&amp;", "&"))
    assert listed.status_code == 200


def test_supervisor_gets_no_link_to_health_or_stock_records(org, make_user, client_for) -> None:
    rollups_refresh()
    body = client_for(make_user(Role.DISTRICT_SUPERVISOR)).get(URL).content.decode()
    assert 'data-testid="chart-coverage"' in body
    assert reverse("prepregnancy:couple_list") not in body
    assert "/contraceptives/points/" not in body


def declared_chart(user: object) -> ChartData:
    return ChartData(
        categories=["一月", "二月"],
        series=[Series("流入", [3, 4]), Series("流出", [1, 2])],
        as_of=None,
    )


TEST_CHARTS = (Chart("test_flows", "流入流出", declared_chart, order=5),)


def test_an_app_adds_a_chart_through_its_config(org, make_user, client_for, monkeypatch) -> None:
    # Stands for the migrants module declaring its inflow/outflow chart.
    monkeypatch.setattr(
        apps.get_app_config("registry"),
        "dashboard_charts",
        "tests.reports.test_dashboard_pages.TEST_CHARTS",
    )
    response = client_for(make_user(Role.STREET_STAFF)).get(URL)
    body = response.content.decode()
    assert 'data-testid="chart-test_flows"' in body
    assert response.context["charts"][0].chart.key == "test_flows"
    assert '<th scope="row">二月</th><td class="num">4</td><td class="num">2</td>' in body


def test_a_chart_with_no_figure_says_so_instead_of_drawing_empty_axes(
    org, make_user, make_person, client_for
) -> None:
    make_person(org.c1, name="甲", birth_date=dt.date(1990, 1, 1))  # a resident, no birth event
    rollups_refresh()
    body = client_for(make_user(Role.STREET_STAFF)).get(URL).content.decode()
    births = body.split('data-testid="chart-births"', 1)[1].split("</section>", 1)[0]
    assert 'data-testid="no-figures"' in births
    assert 'class="chart"' not in births
    pyramid = body.split('data-testid="chart-pyramid"', 1)[1].split("</section>", 1)[0]
    assert 'class="chart"' in pyramid
