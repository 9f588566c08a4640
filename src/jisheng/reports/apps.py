from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class ReportsConfig(modules.ModuleConfig):
    name = "jisheng.reports"
    label = "reports"
    verbose_name = _("Reports")
    navigation = "jisheng.reports.navigation"
    menu_order = 0
    home_panels = "jisheng.reports.panels.home_panels"
    panel_order = 90
    maintenance = ("jisheng.reports.rollups.services.maintain",)
    demo_seeder = "jisheng.reports.rollups.demo.demo_seed"
    dashboard_charts = "jisheng.reports.dashboards.charts.CHARTS"
    data_inventory = "jisheng.reports.rollups.inventory.INVENTORY"
