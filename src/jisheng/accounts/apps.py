from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class AccountsConfig(modules.ModuleConfig):
    name = "jisheng.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    navigation = "jisheng.accounts.navigation"
    menu_order = 90
    api_routers = (("/", "jisheng.accounts.api.router"),)
    api_auth = ("jisheng.accounts.api.BearerToken",)
    data_inventory = "jisheng.accounts.inventory.INVENTORY"
    home_panels = "jisheng.accounts.panels.home_panels"
    panel_order = 5
