from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class ContraceptivesConfig(modules.ModuleConfig):
    name = "jisheng.contraceptives"
    label = "contraceptives"
    verbose_name = _("Contraceptive supply")
    navigation = "jisheng.contraceptives.navigation"
    menu_order = 40
    home_panels = "jisheng.contraceptives.panels.home_panels"
    panel_order = 10
    panels_kept_for = 60  # counts over the area: the home page may keep them a minute
    api_routers = (("/contraceptives/", "jisheng.contraceptives.api.router"),)
    demo_seeder = "jisheng.contraceptives.demo.demo_seed"
    personal_data = "jisheng.contraceptives.personal_data.personal_data"
    personal_data_order = 40
    service_status = "jisheng.contraceptives.service_status.status_of"
    data_inventory = "jisheng.contraceptives.inventory.INVENTORY"
    indicators = "jisheng.contraceptives.indicators.INDICATORS"
    occasion_records = "jisheng.contraceptives.occasions.records_at"
    person_moved = "jisheng.contraceptives.services.roster.person_moved"
    kept_figures = "jisheng.contraceptives.services.balances.issue_months_differences"
