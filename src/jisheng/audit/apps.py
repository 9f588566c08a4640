from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class AuditConfig(modules.ModuleConfig):
    name = "jisheng.audit"
    label = "audit"
    verbose_name = _("Audit")
    api_routers = (("/", "jisheng.audit.api.router"),)
    data_inventory = "jisheng.audit.inventory.INVENTORY"
    home_panels = "jisheng.audit.panels.home_panels"
    panel_order = 0
    panels_kept_for = 60  # counts over the area: the home page may keep them a minute
    maintenance = ("jisheng.audit.retention.maintain",)

    def ready(self) -> None:
        from jisheng.audit import checks  # noqa: F401 - registers the retention check
        from jisheng.audit.services import denied_record
        from jisheng.core.refusals import refusal_listen

        refusal_listen(denied_record)
