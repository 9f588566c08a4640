"""Apps are found through their AppConfig: menus, home panels, API routers, demo seeders."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation

from jisheng.core import modules
from jisheng.core.api import api


def test_every_jisheng_app_but_core_is_a_module() -> None:
    names = [c.name for c in apps.get_app_configs() if c.name.startswith("jisheng.")]
    found = [c.name for c in modules.module_configs()]
    assert found == [name for name in names if name != "jisheng.core"]


def test_the_menu_keeps_its_order() -> None:
    with translation.override("en"):
        labels = [str(section.label) for section in modules.nav_sections()]
    assert labels == [
        "Overview",
        "Population registry",
        "Benefits",
        "Pre-pregnancy checks",
        "Contraceptive supply",
        "Funds",
        "Administration",
        "My account",
    ]


def test_routers_seeders_and_panels_come_from_the_apps() -> None:
    mounted = {prefix for prefix, _router in modules.api_routers()}
    assert mounted == {"/", "/benefits/", "/prepregnancy/", "/contraceptives/", "/funds/"}
    assert len(api._routers) > len(modules.api_routers())  # every one mounted on the API
    seeders = [seed.__module__ for seed in modules.demo_seeders()]
    assert seeders == [
        "jisheng.benefits.demo",
        "jisheng.prepregnancy.demo",
        "jisheng.contraceptives.demo",
        "jisheng.funds.demo",
    ]
    providers = [provider.__module__ for provider in modules._panel_providers()]
    assert providers == [
        "jisheng.audit.panels",
        "jisheng.accounts.panels",
        "jisheng.contraceptives.panels",
        "jisheng.prepregnancy.panels",
        "jisheng.benefits.panels",
        "jisheng.reports.panels",
    ]
