from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class PrepregnancyConfig(modules.ModuleConfig):
    name = "jisheng.prepregnancy"
    label = "prepregnancy"
    verbose_name = _("Pre-pregnancy checks")
    navigation = "jisheng.prepregnancy.navigation"
    menu_order = 30
    home_panels = "jisheng.prepregnancy.panels.home_panels"
    panel_order = 20
    panels_kept_for = 60  # counts over the area: the home page may keep them a minute
    api_routers = (("/prepregnancy/", "jisheng.prepregnancy.api.router"),)
    demo_seeder = "jisheng.prepregnancy.demo.demo_seed"
    personal_data = "jisheng.prepregnancy.personal_data.personal_data"
    personal_data_order = 30
    service_status = "jisheng.prepregnancy.service_status.status_of"
    data_inventory = "jisheng.prepregnancy.inventory.INVENTORY"
    maintenance = ("jisheng.prepregnancy.tasks.worklists_refresh",)
    indicators = "jisheng.prepregnancy.indicators.INDICATORS"
    person_moved = "jisheng.prepregnancy.services.couples.person_moved"
    rows_filters = ("jisheng.prepregnancy.templatetags.couple_states.state_badge",)
