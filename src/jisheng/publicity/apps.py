from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class PublicityConfig(modules.ModuleConfig):
    name = "jisheng.publicity"
    label = "publicity"
    verbose_name = _("Publicity")
    navigation = "jisheng.publicity.navigation"
    menu_order = 55
    api_routers = (("/publicity/", "jisheng.publicity.api.router"),)
    demo_seeder = "jisheng.publicity.demo.demo_seed"
    data_inventory = "jisheng.publicity.inventory.INVENTORY"
    indicators = "jisheng.publicity.indicators.INDICATORS"
    occasions = "jisheng.publicity.occasions.OCCASIONS"
