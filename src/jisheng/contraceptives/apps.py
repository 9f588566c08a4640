from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContraceptivesConfig(AppConfig):
    name = "jisheng.contraceptives"
    label = "contraceptives"
    verbose_name = _("Contraceptive supply")
