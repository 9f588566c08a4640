from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "jisheng.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from jisheng.audit import checks  # noqa: F401 - registers the retention check
        from jisheng.audit.services import denied_record
        from jisheng.core.refusals import refusal_listen

        refusal_listen(denied_record)
