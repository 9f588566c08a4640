from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class FundsConfig(modules.ModuleConfig):
    name = "jisheng.funds"
    label = "funds"
    verbose_name = _("Funds")
    navigation = "jisheng.funds.navigation"
    menu_order = 60
    api_routers = (("/funds/", "jisheng.funds.api.router"),)
    demo_seeder = "jisheng.funds.demo.demo_seed"
    data_inventory = "jisheng.funds.inventory.INVENTORY"
    spending_receiver = "jisheng.funds.services.receive"
