from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class MigrantsConfig(modules.ModuleConfig):
    """流动人口: inflow and outflow records, partner reports, the exchange between instances."""

    name = "jisheng.migrants"
    label = "migrants"
    verbose_name = _("Floating population")
    navigation = "jisheng.migrants.navigation"
    menu_order = 45
    home_panels = "jisheng.migrants.panels.home_panels"
    panel_order = 35
    panels_kept_for = 60  # counts over the area: the home page may keep them a minute
    # Records and partner reports under /api/migrants/; the peers' signed endpoint (and the
    # exchange's own reads) under /api/exchange/.
    api_routers = (
        ("/migrants/", "jisheng.migrants.api.router"),
        ("/exchange/", "jisheng.migrants.api.exchange.router"),
    )
    maintenance = ("jisheng.migrants.exchange.tasks.maintain",)
    indicators = "jisheng.migrants.exchange.indicators.INDICATORS"
    demo_seeder = "jisheng.migrants.demo.demo_seed"
    data_inventory = "jisheng.migrants.inventory.INVENTORY"
    personal_data = "jisheng.migrants.personal_data.personal_data"
    personal_data_order = 45
    serves = ("report_as_partner",)
