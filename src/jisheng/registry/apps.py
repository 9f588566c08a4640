from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class RegistryConfig(modules.ModuleConfig):
    name = "jisheng.registry"
    label = "registry"
    verbose_name = _("Population registry")
    navigation = "jisheng.registry.navigation"
    menu_order = 10
    api_routers = (
        ("/", "jisheng.registry.api.router"),
        ("/", "jisheng.registry.imports.api.router"),
        ("/", "jisheng.registry.family.api.router"),
    )
    maintenance = ("jisheng.registry.imports.lifecycle.maintain",)
    personal_data = "jisheng.registry.subject_access.personal_data"
    personal_data_order = 10
    data_inventory = "jisheng.registry.inventory.INVENTORY"
    closed_records = "jisheng.registry.retention.CLOSED_RECORDS"
