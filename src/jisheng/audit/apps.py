from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class AuditConfig(modules.ModuleConfig):
    name = "jisheng.audit"
    label = "audit"
    verbose_name = _("Audit")
    api_routers = (("/", "jisheng.audit.api.router"),)
    data_inventory = "jisheng.audit.inventory.INVENTORY"
