from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class TargetsConfig(modules.ModuleConfig):
    name = "jisheng.targets"
    label = "targets"
    verbose_name = _("Target responsibility")
    navigation = "jisheng.targets.navigation"
    menu_order = 55
    home_panels = "jisheng.targets.panels.home_panels"
    panel_order = 5
    api_routers = (("/targets/", "jisheng.targets.api.router"),)
    demo_seeder = "jisheng.targets.demo.demo_seed"
    data_inventory = "jisheng.targets.inventory.INVENTORY"
    indicators = "jisheng.targets.indicators.INDICATORS"
    dashboard_charts = "jisheng.targets.charts.CHARTS"
