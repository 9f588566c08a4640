from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class MigrantsConfig(modules.ModuleConfig):
    """流动人口: inflow and outflow records, partner reports, the exchange between instances."""

    name = "jisheng.migrants"
    label = "migrants"
    verbose_name = _("Floating population")
    menu_order = 45
    api_routers = (("/exchange/", "jisheng.migrants.api.exchange.router"),)
    maintenance = ("jisheng.migrants.exchange.tasks.maintain",)
    indicators = "jisheng.migrants.exchange.indicators.INDICATORS"
    data_inventory = "jisheng.migrants.exchange.inventory.INVENTORY"
