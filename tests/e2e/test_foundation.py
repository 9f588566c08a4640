"""The foundation, end to end in a real browser: sign-in, data scope, audit, offline, language.

Text is asserted only where the behaviour is the text; the Chinese strings expected are:
- login failure: "用户名或密码不正确。" (literal)
- the sidebar's "Residents" link in Chinese: whatever the compiled catalogue gives (now "居民"),
  as long as it is not the English msgid
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, Route

from jisheng.registry.models import Household, Person, ResidentStatus

pytestmark = pytest.mark.browser

LOGIN_FAILED_ZH = "用户名或密码不正确。"


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def sidebar_hrefs(page: Page) -> set[str]:
    hrefs = page.eval_on_selector_all("nav.sidebar a", "as => as.map(a => a.getAttribute('href'))")
    return set(hrefs)


Login = Callable[..., None]
Logout = Callable[[Page], None]


def c1_worker_session(page: Page, demo: Any, login: Login, logout: Logout) -> Person:
    """demo_c1 signs in, opens one of their residents, signs out. Returns the resident."""
    person: Person = demo.c1_persons[0]
    login(page, "demo_c1")
    assert path_of(page) == "/"
    response = page.goto(reverse("registry:person_detail", args=[person.pk]))
    assert response is not None
    assert response.status == 200
    logout(page)
    return person


def test_community_worker_sees_only_their_community(
    page: Page, demo: Any, login: Login, logout: Logout
) -> None:
    c1 = demo.c1
    expected = {
        "persons": Person.objects.filter(community=c1, status=ResidentStatus.LIVING).count(),
        "floating": Person.objects.filter(
            community=c1, status=ResidentStatus.LIVING, is_floating=True
        ).count(),
        "households": Household.objects.filter(community=c1).count(),
        "moved_out": Person.objects.filter(community=c1, status=ResidentStatus.MOVED_OUT).count(),
    }
    # The fixture data makes every figure differ between community 1 and the whole street.
    assert expected["persons"] != Person.objects.filter(status=ResidentStatus.LIVING).count()
    assert expected["floating"] != Person.objects.filter(is_floating=True).count()
    assert expected["households"] != Household.objects.count()

    login(page, "demo_c1")
    assert path_of(page) == "/"
    shown = {key: page.text_content(f'[data-count="{key}"]') for key in expected}
    assert shown == {key: str(value) for key, value in expected.items()}

    hrefs = sidebar_hrefs(page)
    assert {reverse("registry:person_list"), reverse("registry:household_list")} <= hrefs
    for forbidden in ("audit:search", "accounts:user_list", "accounts:role_list"):
        assert reverse(forbidden) not in hrefs

    outsider = demo.c2_persons[0]
    response = page.goto(reverse("registry:person_detail", args=[outsider.pk]))
    assert response is not None
    assert response.status == 404
    content = page.content()
    assert outsider.name not in content
    assert outsider.id_number not in content

    resident = demo.c1_persons[0]
    response = page.goto(reverse("registry:person_detail", args=[resident.pk]))
    assert response is not None
    assert response.status == 200
    assert page.text_content("h1") == resident.name
    id_numbers = page.locator("[data-testid=person] dd.mask").all_text_contents()
    assert resident.id_number in id_numbers
    assert len(resident.id_number) == 18

    logout(page)
    assert path_of(page) == reverse("accounts:login")
    page.goto("/")
    assert path_of(page) == reverse("accounts:login")
    assert page.locator("[data-testid=logout]").count() == 0


def test_auditor_finds_the_workers_trail(
    page: Page, demo: Any, login: Login, logout: Logout
) -> None:
    person = c1_worker_session(page, demo, login, logout)

    login(page, "demo_auditor")
    assert reverse("audit:search") in sidebar_hrefs(page)
    response = page.goto(reverse("audit:search"))
    assert response is not None
    assert response.status == 200
    page.fill("form.filters input[name=username]", "demo_c1")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "username=demo_c1" in page.url

    rows = page.locator("[data-testid=audit-events] tbody tr")
    events = [
        {
            "username": row.locator("td").nth(1).text_content(),
            "action": row.locator("td[data-action]").get_attribute("data-action"),
            "object": row.locator("td[data-object]").get_attribute("data-object"),
            "shown": row.locator("td[data-object]").text_content() or "",
        }
        for row in rows.all()
    ]
    assert {e["username"] for e in events} == {"demo_c1"}
    actions = [e["action"] for e in events]
    for action in ("login", "view", "logout"):
        assert action in actions, f"no {action} event for demo_c1 in {actions}"
    views = [e for e in events if e["action"] == "view"]
    assert [e["object"] for e in views] == [f"registry.person:{person.pk}"]
    # The auditor reads the kind and number of what was viewed, never the resident's name.
    assert f"居民 #{person.pk}" in views[0]["shown"]
    assert person.name not in views[0]["shown"]
    # Newest first: the sign-out comes before the view, which comes before the sign-in.
    assert actions.index("logout") < actions.index("view") < actions.index("login")


def test_nothing_leaves_the_server(
    page: Page, page_watch: Any, demo: Any, live_server: Any, login: Login, logout: Logout
) -> None:
    def visit(url: str) -> None:
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")

    login(page, "demo_c1")
    page.wait_for_load_state("networkidle")
    visit("/")
    visit(reverse("registry:person_list"))
    assert page.locator("[data-testid=persons] tbody a").count() == len(demo.c1_persons)
    visit(reverse("registry:person_detail", args=[demo.c1_persons[0].pk]))
    logout(page)

    login(page, "demo_auditor")
    visit(reverse("audit:search"))
    visit("/api/docs")
    origin = live_server.url
    assert page_watch.requests
    assert page_watch.foreign(origin) == []  # before waiting: a CDN page would never render
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".swagger-ui .opblock")
    static = f"{origin}/static/ninja/"
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert static + asset in page_watch.requests
    assert f"{origin}/api/openapi.json" in page_watch.requests
    assert page_watch.failed == []
    assert page_watch.console_errors == []


def test_api_docs_stay_offline_under_an_intranet_host_name(
    page: Page, live_server: Any, watch: Callable[[Page], Any]
) -> None:
    """Swagger UI skips its online validator badge only for localhost/127.0.0.1.

    The browser is shown the site under a non-loopback name; Playwright proxies that
    name to the live server and refuses everything else, so any outside request shows.
    """
    port = urlsplit(live_server.url).port
    origin = f"http://jisheng-intranet.test:{port}"
    outside: list[str] = []

    def proxy(route: Route) -> None:
        url = route.request.url
        if url.startswith(origin + "/"):
            route.fulfill(response=route.fetch(url=live_server.url + url[len(origin) :]))
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", proxy)
    log = watch(page)
    response = page.goto(f"{origin}/api/docs")
    assert response is not None
    assert response.status == 200
    page.wait_for_selector(".swagger-ui .opblock")
    page.wait_for_load_state("networkidle")

    assert outside == []
    assert log.foreign(origin) == []
    external_images = page.eval_on_selector_all(
        "img[src]", f"imgs => imgs.map(i => i.src).filter(s => !s.startsWith({origin!r}))"
    )
    assert external_images == []
    # Plain http on a non-loopback name makes Chromium ignore the COOP header (and say so);
    # production runs behind HTTPS. Anything else in the console is a finding.
    errors = [e for e in log.console_errors if "Cross-Origin-Opener-Policy" not in e]
    assert errors == []


def test_wrong_password_and_unknown_user_get_the_same_message(page: Page, demo: Any) -> None:
    messages = []
    for username, password in (("demo_c1", "Wrong-pass-2026"), ("nobody_here", "Wrong-pass-2026")):
        page.goto(reverse("accounts:login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation() as navigation:
            page.click(".login-box button[type=submit]")
        assert navigation.value is not None
        assert navigation.value.status == 401
        assert path_of(page) == reverse("accounts:login")
        assert page.locator("[data-testid=logout]").count() == 0
        messages.append(page.text_content(".login-box [role=alert]"))
    assert messages == [LOGIN_FAILED_ZH, LOGIN_FAILED_ZH]


def test_language_switch(page: Page, demo: Any, login: Login) -> None:
    persons_link = f'nav.sidebar a[href="{reverse("registry:person_list")}"]'
    login(page, "demo_c1")
    assert page.get_attribute("html", "lang") == "zh-hans"

    with page.expect_navigation():
        page.get_by_role("button", name="English", exact=True).click()
    assert path_of(page) == "/"
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content(persons_link) == "Residents"
    assert page.get_by_role("button", name="中文", exact=True).is_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="中文", exact=True).click()
    assert path_of(page) == "/"
    assert page.get_attribute("html", "lang") == "zh-hans"
    with translation.override("zh-hans"):
        residents_zh = translation.gettext("Residents")
    assert residents_zh != "Residents", "no zh-hans translation of 'Residents' compiled"
    assert page.text_content(persons_link) == residents_zh
    assert page.get_by_role("button", name="English", exact=True).is_visible()
