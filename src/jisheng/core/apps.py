from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class CoreConfig(modules.ModuleConfig):
    name = "jisheng.core"
    label = "core"
    verbose_name = _("Core")
    data_inventory = "jisheng.core.inventory.INVENTORY"
