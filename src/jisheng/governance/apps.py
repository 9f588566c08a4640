from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class GovernanceConfig(modules.ModuleConfig):
    """综合治理: pregnancy follow-up to outcome, the sex ratio at birth, supervision, 两非 cases.

    It sits one layer above the domain apps: it extends pre-pregnancy's ``Pregnancy`` (one
    pregnancy record for the platform) and records coordination meetings with the targets
    module's ``Meeting`` (one meeting model, not two)."""

    name = "jisheng.governance"
    label = "governance"
    verbose_name = _("Governance")
    menu_order = 62
    navigation = "jisheng.governance.navigation"
    api_routers = (("/governance/", "jisheng.governance.api.router"),)
    dashboard_charts = "jisheng.governance.charts.CHARTS"
    demo_seeder = "jisheng.governance.demo.demo_seed"
    data_inventory = "jisheng.governance.inventory.INVENTORY"
