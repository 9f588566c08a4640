from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jisheng.core"
    label = "core"
    verbose_name = _("Core")
    # Core is the base, not a module; it still declares what its models hold.
    data_inventory = "jisheng.core.inventory.INVENTORY"

    def ready(self) -> None:
        from jisheng.core import choices

        choices.install()
