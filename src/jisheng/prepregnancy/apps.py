from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrepregnancyConfig(AppConfig):
    name = "jisheng.prepregnancy"
    label = "prepregnancy"
    verbose_name = _("Pre-pregnancy checks")
