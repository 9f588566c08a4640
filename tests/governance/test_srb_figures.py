"""The monitor over registry births: counts by unit, order and residence, the street and
district totals, the verdict with the minimum, the drill-down (masked, audited) and the
benchmark grid agreeing with the per-unit figures."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.core.roles import Role
from jisheng.governance.periods import of_month, parse_period
from jisheng.governance.selectors import srb as srb_selectors
from jisheng.governance.srb import Verdict
from jisheng.registry.models import LifeEvent, ParentLink


def _births(birth, mother, sexes: str, on: dt.date) -> list[LifeEvent]:
    return [birth(mother, sex, on) for sex in sexes]


def test_figures_by_community_street_and_order(
    org, street_actor, woman, birth, today, settings
) -> None:
    settings.JISHENG_SRB_MINIMUM_BIRTHS = 3
    day = today - dt.timedelta(days=20)
    mother_1 = woman(org.c1)
    # Her births are 1st (M), 2nd (M), 3rd (M), 4th (F): orders 1, 2, 3, 3.
    _births(birth, mother_1, "MMMF", day)
    mother_2 = woman(org.c2, floating=True)
    _births(birth, mother_2, "FF", day)
    period = of_month("rolling", today)
    user = street_actor.user
    rows = {
        r.unit.pk: r.figure for r in srb_selectors.srb_rows(user, level="community", period=period)
    }
    assert (rows[org.c1.pk].boys, rows[org.c1.pk].girls) == (3, 1)
    assert (rows[org.c2.pk].boys, rows[org.c2.pk].girls) == (0, 2)
    assert rows[org.c1.pk].ratio == 300
    third = {
        r.unit.pk: r.figure
        for r in srb_selectors.srb_rows(user, level="community", period=period, order="3")
    }
    assert (third[org.c1.pk].boys, third[org.c1.pk].girls) == (1, 1)
    floating = {
        r.unit.pk: r.figure
        for r in srb_selectors.srb_rows(
            user, level="community", period=period, residence="floating"
        )
    }
    assert floating[org.c1.pk].births == 0
    assert floating[org.c2.pk].births == 2
    (street,) = srb_selectors.srb_rows(user, level="street", period=period)
    assert (street.figure.boys, street.figure.girls) == (3, 3)
    assert street.figure.verdict == Verdict.NORMAL
    # A reversed birth no longer counts; a period that does not hold the births has none.
    last_year = parse_period(f"{today.year - 2}")
    assert all(
        r.figure.births == 0
        for r in srb_selectors.srb_rows(user, level="community", period=last_year)
    )


def test_a_community_worker_sees_only_their_community(org, actor, woman, birth, today) -> None:
    birth(woman(org.c2), "M", today)
    rows = srb_selectors.srb_rows(actor.user, level="community", period=of_month("year", today))
    assert [r.unit for r in rows] == [org.c1]
    assert rows[0].figure.births == 0


def test_the_grid_agrees_with_the_unit_figures(org, street_actor, woman, birth, today) -> None:
    mother = woman(org.c1)
    _births(birth, mother, "MFM", today - dt.timedelta(days=3))
    quarter = of_month("quarter", today - dt.timedelta(days=3))
    grid = srb_selectors.srb_grid(
        LifeEvent.objects.all(),
        communities=[org.c1.pk, org.c2.pk],
        start=quarter.start,
        end=quarter.end,
        minimum=1,
    )
    assert {key: (f.boys, f.girls) for key, f in grid.items()} == {
        (org.c1.pk, quarter.key, "1"): (1, 0),
        (org.c1.pk, quarter.key, "2"): (0, 1),
        (org.c1.pk, quarter.key, "3"): (1, 0),
    }


def test_the_monitor_page_flags_a_high_cell_and_drills_down_masked_and_audited(
    org, street_actor, woman, birth, today, client_for, settings
) -> None:
    settings.JISHENG_SRB_MINIMUM_BIRTHS = 5
    mother = woman(org.c1)
    mother.name = "王秀英"
    mother.save(update_fields=["name"])
    _births(birth, mother, "MMMMMMMM", today - dt.timedelta(days=5))
    client = client_for(street_actor.user)
    page = client.get(reverse("governance:srb"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="srb-alerts"' in html
    assert f'data-unit="{org.c1.pk}" data-verdict="high"' in html
    period = of_month("rolling", today)
    drill = client.get(reverse("governance:srb_births"), {"unit": org.c1.pk, "period": period.key})
    assert drill.status_code == 200
    text = drill.content.decode()
    assert "王*英" in text
    assert "王秀英" not in text
    assert AuditEvent.objects.filter(object_type="governance.srb_cell").exists()


def test_bad_monitor_input_is_a_400(org, street_actor, client_for) -> None:
    client = client_for(street_actor.user)
    assert client.get(reverse("governance:srb"), {"month": "2026-13"}).status_code == 400
    assert client.get(reverse("governance:srb"), {"level": "planet"}).status_code == 400
    assert client.get(reverse("governance:srb_births"), {"unit": "x"}).status_code == 400
    assert client.get(reverse("governance:srb_births"), {"unit": org.c1.pk}).status_code == 400


def test_a_leader_counts_and_a_partner_sees_nothing(org, make_user, client_for) -> None:
    assert client_for(make_user(Role.LEADER)).get(reverse("governance:srb")).status_code == 200
    partner = client_for(make_user(Role.PARTNER_REPORTER))
    assert partner.get(reverse("governance:srb")).status_code == 403
    query = {"unit": org.c1.pk, "period": "2026"}
    assert partner.get(reverse("governance:srb_births"), query).status_code == 403


def test_birth_order_of_parent_links_is_kept_by_the_registry(woman, birth, today) -> None:
    mother = woman()
    events = _births(birth, mother, "MF", today)
    assert [e.data["birth_order"] for e in events] == [1, 2]
    assert ParentLink.objects.filter(parent=mother).count() == 2


def test_cells_too_small_to_judge_show_their_whole_interval_and_empty_ones_one_dash(
    org, street_actor, woman, birth, today, client_for
) -> None:
    day = today - dt.timedelta(days=5)
    _births(birth, woman(org.c1), "MMMF", day)  # 3 boys, 1 girl: far under the minimum
    _births(birth, woman(org.c2), "MM", day)  # no girls: the interval has no upper bound
    html = client_for(street_actor.user).get(reverse("governance:srb")).content.decode()

    def cell(unit_pk: int) -> str:
        row = html.split(f'data-unit="{unit_pk}" data-verdict="too_few"')[1].split("</tr>")[0]
        return row.split('data-testid="srb-interval">')[1].split("</td>")[0]

    # Wilson for 3 of 4: p in (0.3006, 0.9544), as boys per 100 girls (42.99, 2093.6).
    assert cell(org.c1.pk) == "43.0–2093.6"
    # Wilson for 2 of 2: p from 0.3424, 52.1 boys per 100 girls at least.
    assert cell(org.c2.pk) == "52.1 以上"
    empty = [unit for unit in org.street.children.all() if unit.pk not in (org.c1.pk, org.c2.pk)]
    assert empty
    assert all(cell(unit.pk) == "—" for unit in empty)
    assert "—–—" not in html
    assert "∞" not in html
