"""Report pages keep what they compute (core.figures_cache): a page read again is not counted
again, yet no user ever gets figures computed for another area, other duties or another
language, and a rollup refresh shows the new figures at once."""

from __future__ import annotations

import datetime as dt
import re
from functools import partial

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.core.figures_cache import figures_key
from jisheng.core.roles import Role
from jisheng.reports.rollups.services import rollups_rebuild, rollups_refresh

DASHBOARD = reverse("reports:dashboard")
PIVOT = reverse("reports:pivot") + "?measure=persons&rows=sex"
BORN = dt.date(1990, 1, 1)


def pyramid_band(body: str, band: str) -> tuple[int, int]:
    """Men and women of one age band in the pyramid's table."""
    found = re.search(
        rf'>{band}(?:</a>)?</th><td class="num">(\d+)</td><td class="num">(\d+)</td>', body
    )
    assert found is not None, band
    return int(found[1]), int(found[2])


def band_of(born: dt.date) -> str:
    low = (timezone.localdate().year - born.year) // 5 * 5
    return f"{low}-{low + 4}"


def test_a_community_never_gets_another_communitys_figures(
    org, make_user, make_person, client_for
) -> None:
    make_person(org.c1, name="甲", birth_date=BORN)
    make_person(org.c1, name="乙", birth_date=BORN)
    make_person(org.c2, name="丙", sex="F", birth_date=BORN)
    rollups_refresh()
    first = client_for(make_user(Role.COMMUNITY_WORKER, org.c1))
    second = client_for(make_user(Role.COMMUNITY_WORKER, org.c2))
    for _ in range(2):  # the second round is served from the cache
        assert pyramid_band(first.get(DASHBOARD).content.decode(), band_of(BORN)) == (2, 0)
        assert pyramid_band(second.get(DASHBOARD).content.decode(), band_of(BORN)) == (0, 1)
        assert b'data-count="persons">2<' in first.get("/").content
        assert b'data-count="persons">1<' in second.get("/").content
        assert '<td class="num" data-key="total">2</td>' in first.get(PIVOT).content.decode()
        assert '<td class="num" data-key="total">1</td>' in second.get(PIVOT).content.decode()


def test_other_duties_in_the_same_area_get_their_own_charts(
    org, make_user, make_person, client_for
) -> None:
    make_person(org.c1, name="甲", birth_date=BORN)
    rollups_refresh()
    staff = client_for(make_user(Role.STREET_STAFF)).get(DASHBOARD).content.decode()
    leader = client_for(make_user(Role.LEADER)).get(DASHBOARD).content.decode()
    charts = leader.split('class="dashboard-chart"', 1)[1]
    # Street staff may open the couples behind a coverage bar; the leader counts them only.
    couples = reverse("prepregnancy:couple_list") + "?community="
    assert couples in staff
    assert couples not in charts


def test_the_page_language_is_part_of_what_is_kept(org, make_user, client_for) -> None:
    rollups_refresh()
    client = client_for(make_user(Role.STREET_STAFF))
    chinese = client.get(DASHBOARD).content.decode()
    english = client.get(DASHBOARD, headers={"accept-language": "en"}).content.decode()
    assert "Show the table" not in chinese
    assert "Show the table" in english
    assert "查看数据表" not in english


def test_a_rollup_refresh_shows_the_new_figures(org, make_user, make_person, client_for) -> None:
    make_person(org.c1, name="甲", birth_date=BORN)
    rollups_rebuild()
    client = client_for(make_user(Role.COMMUNITY_WORKER, org.c1))
    form = reverse("reports:form_show", args=["population"])
    assert pyramid_band(client.get(DASHBOARD).content.decode(), band_of(BORN)) == (1, 0)
    assert b'data-count="persons">1<' in client.get("/").content
    before = client.get(form).content
    make_person(org.c1, name="乙", birth_date=BORN)
    rollups_refresh()  # moves the rollups' "data as of" forward
    assert pyramid_band(client.get(DASHBOARD).content.decode(), band_of(BORN)) == (2, 0)
    assert b'data-count="persons">2<' in client.get("/").content
    assert '<td class="num" data-key="total">2</td>' in client.get(PIVOT).content.decode()
    assert client.get(form).status_code == 200
    assert before  # the form page was drawn before the refresh and again after it


def test_home_panels_say_when_they_were_counted(org, make_user, client_for) -> None:
    body = client_for(make_user(Role.COMMUNITY_WORKER)).get("/").content.decode()
    assert 'data-testid="panels-as-of"' in body
    assert "待办数截至" in body


def test_the_cache_has_room_for_every_users_panels_and_the_reports() -> None:
    # Django's default LocMem store holds 300 entries: less than ~200 users' panels and
    # every area's report figures (settings.py counts them).
    store = caches["default"]
    assert isinstance(store, LocMemCache)
    assert store._max_entries >= 3000


def test_home_panels_are_one_entry_per_user_and_none_when_empty(org, make_user, client_for) -> None:
    worker, auditor = make_user(Role.COMMUNITY_WORKER), make_user(Role.SECURITY_AUDITOR)
    panels_key = partial(figures_key, "reports.home_panels", version="", personal=True)
    with translation.override("zh-hans"):
        assert client_for(worker).get("/").status_code == 200
        assert client_for(auditor).get("/").status_code == 200
        kept = cache.get(panels_key(worker))
        assert kept is not None
        assert kept[0]  # the worker's panels, kept in one entry
        assert cache.get(panels_key(auditor)) is None  # nothing shown, nothing kept
