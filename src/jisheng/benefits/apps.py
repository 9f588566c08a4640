from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class BenefitsConfig(modules.ModuleConfig):
    name = "jisheng.benefits"
    label = "benefits"
    verbose_name = _("Benefits")
    navigation = "jisheng.benefits.navigation"
    menu_order = 20
    home_panels = "jisheng.benefits.panels.home_panels"
    panel_order = 30
    panels_kept_for = 60  # counts over the area: the home page may keep them a minute
    api_routers = (("/benefits/", "jisheng.benefits.api.router"),)
    demo_seeder = "jisheng.benefits.demo.demo_seed"
    personal_data = "jisheng.benefits.personal_data.personal_data"
    personal_data_order = 20
    data_inventory = "jisheng.benefits.inventory.INVENTORY"
    indicators = "jisheng.benefits.indicators.INDICATORS"
    maintenance = ("jisheng.benefits.services.snapshots.snapshots_purge_expired",)
