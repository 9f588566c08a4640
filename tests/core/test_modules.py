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
        "Floating population",
        "Reporting",  # a partner reporter's whole menu
        "Publicity",
        "Target responsibility",
        "Funds",
        "Governance",
        "Administration",
        "My account",
    ]


def test_routers_seeders_and_panels_come_from_the_apps() -> None:
    mounted = {prefix for prefix, _router in modules.api_routers()}
    assert mounted == {
        "/",
        "/benefits/",
        "/prepregnancy/",
        "/contraceptives/",
        "/publicity/",
        "/funds/",
        "/migrants/",
        "/targets/",
        "/exchange/",
        "/governance/",
    }
    assert len(api._routers) > len(modules.api_routers())  # every one mounted on the API
    seeders = [seed.__module__ for seed in modules.demo_seeders()]
    assert seeders == [
        "jisheng.benefits.demo",
        "jisheng.prepregnancy.demo",
        "jisheng.contraceptives.demo",
        "jisheng.publicity.demo",
        "jisheng.funds.demo",  # after every app that spends: it tops the seed's totals up
        "jisheng.targets.demo",
        "jisheng.migrants.demo",
        "jisheng.governance.demo",  # births through the registry, before the rollups count
        "jisheng.reports.rollups.demo",  # counts the figures once every app has seeded
    ]
    providers = [p.provide.__module__ for p in modules.home_panel_providers()]
    assert providers == [
        "jisheng.audit.panels",
        "jisheng.accounts.panels",
        "jisheng.targets.panels",
        "jisheng.contraceptives.panels",
        "jisheng.prepregnancy.panels",
        "jisheng.benefits.panels",
        "jisheng.migrants.panels",
        "jisheng.reports.panels",
    ]


def test_dashboard_charts_come_from_the_apps() -> None:
    keys = [chart.key for chart in modules.dashboard_charts()]
    assert keys[:3] == ["pyramid", "residents_by_unit", "births"]
    orders = [chart.order for chart in modules.dashboard_charts()]
    assert orders == sorted(orders)
